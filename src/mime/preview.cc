#include "mime/preview.h"

#include <vector>

#include "mime/charset.h"
#include "mime/content_type.h"
#include "mime/header_field.h"
#include "mime/transfer_encoding.h"

namespace roost::mime {
namespace {

// Raw bytes read per candidate part: plenty for 256 characters, bounded for huge bodies.
constexpr size_t kPlainScanBytes = 16 * 1024;
constexpr size_t kHtmlScanBytes = 128 * 1024;

bool is_attachment(const Part& p) {
  return p.disposition && iequals(p.disposition->type, "attachment");
}

// Depth-first leaf search that does not enter attached messages.
const Part* find_text_part(const ParsedMessage& m, std::string_view subtype) {
  if (m.parts.empty()) return nullptr;
  std::vector<uint32_t> pending{0};
  while (!pending.empty()) {
    uint32_t i = pending.back();
    pending.pop_back();
    if (i >= m.parts.size()) continue;
    const Part& p = m.parts[i];
    if (iequals(p.type, "multipart")) {
      for (size_t k = p.children.size(); k-- > 0;) pending.push_back(p.children[k]);
      continue;
    }
    if (iequals(p.type, "text") && iequals(p.subtype, subtype) && !is_attachment(p)) return &p;
  }
  return nullptr;
}

std::string part_text(std::string_view message, const Part& p, size_t cap) {
  if (p.body_offset > message.size()) return {};
  std::string_view raw = message.substr(p.body_offset, std::min<uint64_t>(p.body_size, cap));
  std::string decoded;
  if (transfer_encoding_from_name(p.encoding) == TransferEncoding::Unknown) {
    decoded.assign(raw);  // unknown encoding: the raw bytes are the best text we have
  } else {
    decode_body(p.encoding, raw, decoded);  // tolerant even when malformed
  }
  std::string utf8;
  const std::string* charset = find_param(p.params, "charset");
  if (!charset || !convert_to_utf8(*charset, decoded, utf8)) {
    utf8.clear();
    append_unlabeled(decoded, utf8);
  }
  return utf8;
}

bool starts_with_ci(std::string_view s, size_t pos, std::string_view prefix) {
  return s.size() - pos >= prefix.size() && iequals(s.substr(pos, prefix.size()), prefix);
}

size_t find_ci(std::string_view s, size_t pos, std::string_view needle) {
  for (; pos + needle.size() <= s.size(); ++pos) {
    if (starts_with_ci(s, pos, needle)) return pos;
  }
  return std::string_view::npos;
}

bool is_alnum(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// "<name" followed by a non-name character ("<header>" is not "<head").
bool tag_is(std::string_view s, size_t pos, std::string_view name) {
  if (pos + 1 + name.size() > s.size() || !iequals(s.substr(pos + 1, name.size()), name))
    return false;
  return s[pos] == '<' &&
         (pos + 1 + name.size() == s.size() || !is_alnum(s[pos + 1 + name.size()]));
}

bool decode_entity(std::string_view s, size_t& i, std::string& out) {
  size_t semi = s.substr(i, 12).find(';');  // bounded look-ahead keeps "&&&&" linear
  if (semi == std::string_view::npos) return false;
  semi += i;
  std::string_view name = s.substr(i + 1, semi - i - 1);
  char32_t cp = 0;
  if (name == "amp")
    cp = '&';
  else if (name == "lt")
    cp = '<';
  else if (name == "gt")
    cp = '>';
  else if (name == "quot")
    cp = '"';
  else if (name == "apos")
    cp = '\'';
  else if (name == "nbsp")
    cp = ' ';
  else if (name.size() > 1 && name[0] == '#') {
    bool hex = name[1] == 'x' || name[1] == 'X';
    for (size_t k = hex ? 2 : 1; k < name.size(); ++k) {
      char c = name[k];
      int d = (c >= '0' && c <= '9')                          ? c - '0'
              : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                              : -1;
      if (d < 0 || cp > 0x10FFFF) return false;
      cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(d);
    }
  } else {
    return false;
  }
  append_code_point(cp == 0 ? 0xFFFD : cp, out);
  i = semi + 1;
  return true;
}

bool is_block_tag(std::string_view s, size_t pos) {
  size_t b = pos + 1;
  if (b < s.size() && s[b] == '/') ++b;
  size_t e = b;
  while (e < s.size() && is_alnum(s[e])) ++e;
  std::string_view name = s.substr(b, e - b);
  for (std::string_view t : {"br", "p", "div", "tr", "td", "th", "li", "h1", "h2", "h3", "h4", "h5",
                             "h6", "table", "ul", "ol", "blockquote", "hr", "title"}) {
    if (iequals(name, t)) return true;
  }
  return false;
}

}  // namespace

std::string html_to_text(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 2);
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '&') {
      if (!decode_entity(s, i, out)) out.push_back(s[i++]);
      continue;
    }
    if (c != '<') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (starts_with_ci(s, i, "<!--")) {
      size_t end = s.find("-->", i + 4);
      i = end == std::string_view::npos ? s.size() : end + 3;
      continue;
    }
    std::string_view skip_until;
    if (tag_is(s, i, "script"))
      skip_until = "</script";
    else if (tag_is(s, i, "style"))
      skip_until = "</style";
    else if (tag_is(s, i, "head"))
      skip_until = "</head";
    if (!skip_until.empty()) {
      size_t end = find_ci(s, i, skip_until);
      i = end == std::string_view::npos ? s.size() : end;
    }
    if (i < s.size() && is_block_tag(s, i)) out.push_back(' ');
    size_t gt = s.find('>', i);
    i = gt == std::string_view::npos ? s.size() : gt + 1;
  }
  return out;
}

std::string collapse_whitespace(std::string_view s, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  bool pending_space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool nbsp = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0;
    if (c <= 0x20 || c == 0x7F || nbsp) {
      if (nbsp) ++i;
      pending_space = !out.empty();
      continue;
    }
    bool lead = (c & 0xC0) != 0x80;
    if (lead) {
      if (chars + (pending_space ? 1 : 0) >= max_chars) break;
      if (pending_space) {
        out.push_back(' ');
        ++chars;
        pending_space = false;
      }
      ++chars;
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string make_preview(std::string_view message, const ParsedMessage& parsed) {
  if (const Part* p = find_text_part(parsed, "plain")) {
    return collapse_whitespace(part_text(message, *p, kPlainScanBytes), kPreviewMaxChars);
  }
  if (const Part* p = find_text_part(parsed, "html")) {
    return collapse_whitespace(html_to_text(part_text(message, *p, kHtmlScanBytes)),
                               kPreviewMaxChars);
  }
  return {};
}

}  // namespace roost::mime
