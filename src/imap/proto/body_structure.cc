#include "imap/proto/body_structure.h"

#include "imap/proto/syntax_reader.h"

namespace roost::imap {
namespace {

constexpr int kMaxDepth = 200;  // guards against cyclic children in corrupt stored data

void write_address(std::string& out, const mime::Address& a, const StringStyle& style) {
  static const std::optional<std::string> kNil;
  // RFC 9051 §7.5.2: group start is (NIL NIL "name" NIL), group end (NIL NIL NIL NIL).
  bool group = a.is_group_start || a.is_group_end;
  out += '(';
  write_nstring(out, group ? kNil : a.name, style);
  out += ' ';
  write_nstring(out, group ? kNil : a.adl, style);
  out += ' ';
  write_nstring(out, a.is_group_end ? kNil : a.mailbox, style);
  out += ' ';
  write_nstring(out, group ? kNil : a.host, style);
  out += ')';
}

void write_addresses(std::string& out, const std::vector<mime::Address>& list,
                     const StringStyle& style) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const mime::Address& a : list) write_address(out, a, style);
  out += ')';
}

void write_params(std::string& out, const mime::Params& params, const StringStyle& style) {
  if (params.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out += ' ';
    write_string(out, params[i].first, style);
    out += ' ';
    write_string(out, params[i].second, style);
  }
  out += ')';
}

// body-ext-1part / body-ext-mpart tail: disposition, language, location.
void write_common_extension(std::string& out, const mime::Part& p, const StringStyle& style) {
  out += ' ';
  if (p.disposition) {
    out += '(';
    write_string(out, p.disposition->type, style);
    out += ' ';
    write_params(out, p.disposition->params, style);
    out += ')';
  } else {
    out += "NIL";
  }
  out += ' ';
  if (p.language.empty()) {
    out += "NIL";
  } else {  // always a list, even of one, as Dovecot sends it
    out += '(';
    for (size_t i = 0; i < p.language.size(); ++i) {
      if (i > 0) out += ' ';
      write_string(out, p.language[i], style);
    }
    out += ')';
  }
  out += ' ';
  write_nstring(out, p.location, style);
}

bool valid_child(const mime::ParsedMessage& m, uint32_t parent, uint32_t child) {
  return child > parent && child < m.parts.size();  // depth-first order: children come later
}

void write_part(std::string& out, const mime::ParsedMessage& m, uint32_t index, bool extensible,
                const StringStyle& style, int depth);

// An empty text/plain part with RFC 2045 §5.2 defaults, for trees that have no usable body.
void write_empty_text(std::string& out, bool extensible) {
  out += "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0";
  out += extensible ? " NIL NIL NIL NIL)" : ")";
}

bool has_param(const mime::Params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (iequals(key, name)) return true;
  }
  return false;
}

void write_multipart(std::string& out, const mime::ParsedMessage& m, uint32_t index,
                     bool extensible, const StringStyle& style, int depth) {
  const mime::Part& p = m.parts[index];
  out += '(';
  bool any = false;
  for (uint32_t child : p.children) {
    if (!valid_child(m, index, child)) continue;
    write_part(out, m, child, extensible, style, depth + 1);
    any = true;
  }
  if (!any) write_empty_text(out, extensible);  // body-type-mpart needs 1*body
  out += ' ';
  write_string(out, p.subtype, style);
  if (extensible) {
    out += ' ';
    write_params(out, p.params, style);
    write_common_extension(out, p, style);
  }
  out += ')';
}

void write_part(std::string& out, const mime::ParsedMessage& m, uint32_t index, bool extensible,
                const StringStyle& style, int depth) {
  const mime::Part& p = m.parts[index];
  if (depth > kMaxDepth) {
    write_empty_text(out, extensible);
    return;
  }
  if (iequals(p.type, "multipart")) {
    write_multipart(out, m, index, extensible, style, depth);
    return;
  }
  out += '(';
  write_string(out, p.type, style);
  out += ' ';
  write_string(out, p.subtype, style);
  out += ' ';
  bool text = iequals(p.type, "text");
  if (text && !has_param(p.params, "charset")) {
    // RFC 2045 §5.2: text without a charset is US-ASCII; say so last, as Dovecot does.
    mime::Params params = p.params;
    params.emplace_back("charset", "us-ascii");
    write_params(out, params, style);
  } else {
    write_params(out, p.params, style);
  }
  out += ' ';
  write_nstring(out, p.id, style);
  out += ' ';
  write_nstring(out, p.description, style);
  out += ' ';
  write_string(out, p.encoding, style);
  out += ' ';
  out += std::to_string(p.body_size);
  // RFC 9051 §7.5.2 body-type-msg covers MESSAGE/RFC822 and MESSAGE/GLOBAL (RFC 6532).
  bool message = iequals(p.type, "message") &&
                 (iequals(p.subtype, "rfc822") || iequals(p.subtype, "global")) && p.envelope &&
                 !p.children.empty() && valid_child(m, index, p.children[0]);
  if (message) {
    out += ' ';
    write_envelope(out, *p.envelope, style);
    out += ' ';
    write_part(out, m, p.children[0], extensible, style, depth + 1);
    out += ' ';
    out += std::to_string(p.body_lines);
  } else if (text) {
    out += ' ';
    out += std::to_string(p.body_lines);
  }
  if (extensible) {
    out += ' ';
    write_nstring(out, p.md5, style);
    write_common_extension(out, p, style);
  }
  out += ')';
}

}  // namespace

// The subject as Dovecot shows it to humans: tabs and line breaks become spaces, runs of
// blanks one space, no blanks at either end (folding whitespace carries no meaning).
std::string subject_for_humans(std::string_view raw) {
  std::string out;
  bool blank = false;
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

void write_envelope(std::string& out, const mime::Envelope& e, const StringStyle& style) {
  out += '(';
  write_nstring(out, e.date, style);
  out += ' ';
  if (e.subject)
    write_string(out, subject_for_humans(*e.subject), style);
  else
    out += "NIL";
  out += ' ';
  write_addresses(out, e.from, style);
  out += ' ';
  // RFC 9051 §7.5.2: absent or empty Sender / Reply-To take the value of From.
  write_addresses(out, e.sender.empty() ? e.from : e.sender, style);
  out += ' ';
  write_addresses(out, e.reply_to.empty() ? e.from : e.reply_to, style);
  out += ' ';
  write_addresses(out, e.to, style);
  out += ' ';
  write_addresses(out, e.cc, style);
  out += ' ';
  write_addresses(out, e.bcc, style);
  out += ' ';
  write_nstring(out, e.in_reply_to, style);
  out += ' ';
  write_nstring(out, e.message_id, style);
  out += ')';
}

void write_body_structure(std::string& out, const mime::ParsedMessage& message, uint32_t part,
                          bool extensible, const StringStyle& style) {
  if (part >= message.parts.size()) {
    write_empty_text(out, extensible);
    return;
  }
  write_part(out, message, part, extensible, style, 0);
}

}  // namespace roost::imap
