#include "imap/engine/fetch_renderer.h"

#include <algorithm>

#include "imap/engine/binary_section.h"
#include "imap/engine/message_section.h"
#include "imap/proto/body_structure.h"
#include "mime/header_field.h"
#include "mime/transfer_encoding.h"

namespace roost::imap {
namespace {

using Text = SectionSpec::Text;

bool is_container(const mime::Part& p) {
  return mime::iequals(p.type, "multipart") || !p.children.empty();
}

// "1.2.HEADER.FIELDS (FROM TO)" as the response echoes it (RFC 9051 §7.5.2 BODY[<section>]).
void write_section(std::string& out, const SectionSpec& s) {
  for (size_t i = 0; i < s.part.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(s.part[i]);
  }
  if (s.text == Text::None) return;
  if (!s.part.empty()) out += '.';
  switch (s.text) {
    case Text::Header:
      out += "HEADER";
      break;
    case Text::Text:
      out += "TEXT";
      break;
    case Text::Mime:
      out += "MIME";
      break;
    case Text::HeaderFields:
    case Text::HeaderFieldsNot: {
      out += s.text == Text::HeaderFields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
      for (size_t i = 0; i < s.fields.size(); ++i) {
        if (i > 0) out += ' ';
        write_astring(out, s.fields[i]);
      }
      out += ')';
      break;
    }
    case Text::None:
      break;
  }
}

// RFC 9051 §7.5.2: "<origin>" only, the length is implied by the string.
std::string_view apply_partial(std::string_view data, const std::optional<Partial>& partial) {
  if (!partial) return data;
  if (partial->offset >= data.size()) return {};
  data.remove_prefix(partial->offset);
  if (partial->length) data = data.substr(0, *partial->length);
  return data;
}

// Message data always goes out as a literal; an empty one as "". NUL is only allowed in literal8
// (RFC 3516 §4.1): BODY[] replaces it with 0x80 as Dovecot does, BINARY[] switches to ~{n}.
void write_data(std::string& out, std::string_view data, bool binary) {
  if (data.empty()) {
    out += "\"\"";
    return;
  }
  bool has_nul = data.find('\0') != std::string_view::npos;
  out += (has_nul && binary) ? "~{" : "{";
  out += std::to_string(data.size());
  out += "}\r\n";
  size_t start = out.size();
  out.append(data);
  if (has_nul && !binary) std::replace(out.begin() + start, out.end(), '\0', '\x80');
}

// The decoded content of a part for BINARY (RFC 3516 §4.2); nullopt for "no such part".
Result<std::optional<std::string>> binary_content(const FetchInput& in, const SectionSpec& s) {
  auto unknown_cte = [] {
    return make_error(ErrorKind::Corrupt, "Unknown Content-Transfer-Encoding",
                      std::string(kUnknownCte));
  };
  if (s.part.empty() && in.parsed->parts.empty())
    return std::optional<std::string>(std::string(in.bytes));
  auto index = s.part.empty() ? std::optional<uint32_t>(0) : find_part(*in.parsed, s.part);
  if (!index) return std::optional<std::string>();
  const mime::Part& p = in.parsed->parts[*index];
  // The whole message, or a part with parts: every part below it decoded (binary_section.h).
  if (s.part.empty() || is_container(p)) {
    auto entity = binary_entity(in.bytes, *in.parsed, *index, s.part.empty());
    if (!entity) return unknown_cte();
    return std::optional<std::string>(std::move(*entity));
  }
  if (mime::transfer_encoding_from_name(p.encoding) == mime::TransferEncoding::Unknown)
    return unknown_cte();
  std::string decoded;
  mime::decode_body(p.encoding, part_body(in.bytes, p), decoded);
  return std::optional<std::string>(std::move(decoded));
}

void write_body_section(std::string& out, const FetchInput& in, const FetchItem& item) {
  out += "BODY[";
  write_section(out, item.section);
  out += ']';
  if (item.partial) out += "<" + std::to_string(item.partial->offset) + ">";
  out += ' ';
  auto bytes = section_bytes(in.bytes, *in.parsed, item.section);
  write_data(out, bytes ? apply_partial(bytes->data(), item.partial) : std::string_view(), false);
}

Status write_binary(std::string& out, const FetchInput& in, const FetchItem& item) {
  auto content = binary_content(in, item.section);
  if (!content) return content.error();
  std::string_view data = *content ? std::string_view(**content) : std::string_view();
  if (item.type == FetchItemType::BinarySize) {
    out += "BINARY.SIZE[";
    write_section(out, item.section);
    out += "] " + std::to_string(data.size());
    return ok();
  }
  out += "BINARY[";
  write_section(out, item.section);
  out += ']';
  if (item.partial) out += "<" + std::to_string(item.partial->offset) + ">";
  out += ' ';
  write_data(out, apply_partial(data, item.partial), true);
  return ok();
}

std::string_view root_header(const FetchInput& in) {
  return in.parsed->parts.empty() ? std::string_view() : part_header(in.bytes, in.parsed->parts[0]);
}

std::string_view root_body(const FetchInput& in) {
  return in.parsed->parts.empty() ? std::string_view() : part_body(in.bytes, in.parsed->parts[0]);
}

Status write_item(std::string& out, const FetchInput& in, const FetchItem& item,
                  const FetchOptions& options) {
  const store::MessageEntry& e = *in.entry;
  switch (item.type) {
    case FetchItemType::Flags:
      out += "FLAGS ";
      write_flags(out, e.flags);
      break;
    case FetchItemType::InternalDate:
      out += "INTERNALDATE ";
      write_date_time(out, DateTime{e.internal_date, e.internal_date_tz});
      break;
    case FetchItemType::Rfc822:
      out += "RFC822 ";
      write_data(out, in.bytes, false);
      break;
    case FetchItemType::Rfc822Header:
      out += "RFC822.HEADER ";
      write_data(out, root_header(in), false);
      break;
    case FetchItemType::Rfc822Text:
      out += "RFC822.TEXT ";
      write_data(out, root_body(in), false);
      break;
    case FetchItemType::Rfc822Size:
      out += "RFC822.SIZE " + std::to_string(e.blob.size);
      break;
    case FetchItemType::Envelope:
      out += "ENVELOPE ";
      write_envelope(out, in.parsed->envelope, options.style);
      break;
    case FetchItemType::Body:
    case FetchItemType::BodyStructure: {
      bool ext = item.type == FetchItemType::BodyStructure;
      out += ext ? "BODYSTRUCTURE " : "BODY ";
      write_body_structure(out, *in.parsed, 0, ext, options.style);
      break;
    }
    case FetchItemType::BodySection:
      write_body_section(out, in, item);
      break;
    case FetchItemType::BinarySection:
    case FetchItemType::BinarySize:
      return write_binary(out, in, item);
    case FetchItemType::Uid:
      out += "UID ";
      out += std::to_string(e.uid);
      break;
    case FetchItemType::ModSeq:
      out += "MODSEQ (" + std::to_string(e.modseq) + ")";
      break;
    case FetchItemType::SaveDate:
      out += "SAVEDATE ";
      // RFC 8514 §4.3: NIL when the save date is unknown.
      if (e.save_date == 0)
        out += "NIL";
      else
        write_date_time(out, DateTime{e.save_date, 0});
      break;
    case FetchItemType::EmailId:
      out += "EMAILID (" + email_id(e.blob) + ")";
      break;
    case FetchItemType::ThreadId:
      out += "THREADID NIL";
      break;  // RFC 8474 §5.2: no thread ids
    case FetchItemType::Preview:
      out += "PREVIEW ";
      write_string(out, in.parsed->preview, options.style);
      break;
  }
  return ok();
}

}  // namespace

FetchNeeds fetch_needs(const std::vector<FetchItem>& items) {
  FetchNeeds needs;
  for (const FetchItem& item : items) {
    switch (item.type) {
      case FetchItemType::Envelope:
      case FetchItemType::Body:
      case FetchItemType::BodyStructure:
      case FetchItemType::Preview:
        needs.parsed = true;
        break;
      case FetchItemType::Rfc822:
        needs.bytes = true;
        break;
      case FetchItemType::Rfc822Header:
      case FetchItemType::Rfc822Text:
      case FetchItemType::BodySection:
      case FetchItemType::BinarySection:
      case FetchItemType::BinarySize:
        needs.parsed = needs.bytes = true;
        break;
      default:
        break;
    }
  }
  return needs;
}

bool sets_seen(const std::vector<FetchItem>& items) {
  return std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    switch (i.type) {
      case FetchItemType::Rfc822:
      case FetchItemType::Rfc822Text:
        return true;
      case FetchItemType::BodySection:
      case FetchItemType::BinarySection:
        return !i.peek;
      default:
        return false;
    }
  });
}

bool is_unknown_cte(const Error& error) { return error.detail == kUnknownCte; }

std::string email_id(const store::BlobRef& blob) {
  return "M" + blob.id.substr(0, std::min<size_t>(24, blob.id.size()));
}

std::string mailbox_object_id(store::MailboxId id) { return "F" + std::to_string(id); }

void write_flags(std::string& out, const store::Flags& flags) {
  static constexpr std::pair<uint32_t, std::string_view> kSystem[] = {
      {store::kSeen, "\\Seen"},
      {store::kAnswered, "\\Answered"},
      {store::kFlagged, "\\Flagged"},
      {store::kDeleted, "\\Deleted"},
      {store::kDraft, "\\Draft"}};
  // Written in place (FETCH 1:* FLAGS renders a million of these): no list of names.
  out += '(';
  bool first = true;
  auto add = [&](std::string_view name) {
    if (!first) out += ' ';
    first = false;
    out += name;
  };
  for (const auto& [bit, name] : kSystem) {
    if (flags.system & bit) add(name);
  }
  for (const std::string& keyword : flags.keywords) add(keyword);
  out += ')';
}

Status append_fetch(std::string& out, const FetchInput& input, const std::vector<FetchItem>& items,
                    const FetchOptions& options) {
  out += "* ";
  out += std::to_string(input.seq);
  out += " FETCH (";
  bool has_flags = false, has_uid = false, has_modseq = false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    has_flags = has_flags || items[i].type == FetchItemType::Flags;
    has_uid = has_uid || items[i].type == FetchItemType::Uid;
    has_modseq = has_modseq || items[i].type == FetchItemType::ModSeq;
    ROOST_TRY(write_item(out, input, items[i], options));
  }
  bool written = !items.empty();
  auto add = [&](FetchItemType type) {
    if (written) out += ' ';
    written = true;
    FetchItem item;
    item.type = type;
    return write_item(out, input, item, options);
  };
  // RFC 9051 §6.4.5: report the \Seen we just set.
  if (options.add_flags && !has_flags) ROOST_TRY(add(FetchItemType::Flags));
  if (options.add_uid && !has_uid) ROOST_TRY(add(FetchItemType::Uid));
  if (options.add_modseq && !has_modseq) ROOST_TRY(add(FetchItemType::ModSeq));
  out += ")\r\n";
  return ok();
}

Result<std::string> render_fetch(const FetchInput& input, const std::vector<FetchItem>& items,
                                 const FetchOptions& options) {
  std::string out;
  ROOST_TRY(append_fetch(out, input, items, options));
  return out;
}

}  // namespace roost::imap
