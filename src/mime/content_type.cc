#include "mime/content_type.h"

#include <algorithm>

#include "mime/charset.h"
#include "mime/header_field.h"

namespace roost::mime {
namespace {

bool is_tspecial(char c) {  // RFC 2045 §5.1
  switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '@':
    case ',':
    case ';':
    case ':':
    case '\\':
    case '"':
    case '/':
    case '[':
    case ']':
    case '?':
    case '=':
      return true;
    default:
      return false;
  }
}

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7F && !is_tspecial(c);  // 8-bit bytes tolerated
}

// Skips whitespace and (nested) comments.
void skip_cfws(std::string_view s, size_t& i) {
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (depth > 0) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++depth;
      else if (c == ')')
        --depth;
      ++i;
    } else if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else {
      break;
    }
  }
}

std::string_view read_token(std::string_view s, size_t& i) {
  size_t b = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  return s.substr(b, i - b);
}

// Quoted string at s[i] == '"'; an unterminated one runs to the end and returns false.
bool read_quoted(std::string_view s, size_t& i, std::string& out) {
  ++i;
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    if (s[i] != '\r' && s[i] != '\n') out.push_back(s[i]);
    ++i;
  }
  if (i >= s.size()) return false;
  ++i;
  return true;
}

struct RawParam {
  std::string_view name;  // as written, e.g. "filename*1*"
  std::string_view base;  // name without the RFC 2231 "*N*" suffix
  int section = -1;       // -1: plain parameter
  bool encoded = false;   // RFC 2231 §4: trailing '*'
  std::string value;
  size_t order = 0;
};

// RFC 2231 §3-4: "name*", "name*N", "name*N*".
void classify_name(std::string_view name, RawParam& p) {
  size_t star = name.find('*');
  p.base = name;
  if (star == std::string_view::npos || star == 0) return;
  std::string_view rest = name.substr(star + 1);
  p.base = name.substr(0, star);
  if (rest.empty()) {
    p.section = 0;
    p.encoded = true;
    return;
  }
  int n = 0;
  size_t k = 0;
  while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9' && n < 100000) {
    n = n * 10 + (rest[k] - '0');
    ++k;
  }
  if (k == 0 || (k < rest.size() && !(k + 1 == rest.size() && rest[k] == '*'))) {
    p.base = name;  // not RFC 2231 after all
    return;
  }
  p.section = n;
  p.encoded = k < rest.size();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void percent_decode(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
}

bool less_ci(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

// Joins the sections of one RFC 2231 parameter (sorted by section) and decodes it.
std::string join_rfc2231(const std::vector<RawParam*>& sections) {
  std::string bytes;
  std::string_view charset;
  for (size_t k = 0; k < sections.size(); ++k) {
    std::string_view v = sections[k]->value;
    if (k == 0 && sections[k]->encoded) {
      size_t q1 = v.find('\'');
      size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
      if (q2 != std::string_view::npos) {  // RFC 2231 §4: charset'language'value
        charset = v.substr(0, q1);
        v = v.substr(q2 + 1);
      }
    }
    if (sections[k]->encoded) {
      percent_decode(v, bytes);
    } else {
      bytes.append(v);
    }
  }
  std::string out;
  if (charset.empty() || !convert_to_utf8(charset, bytes, out)) {
    out.clear();
    append_unlabeled(bytes, out);
  }
  return out;
}

bool less_by_name_then_section(const RawParam* a, const RawParam* b) {
  if (less_ci(a->base, b->base)) return true;
  if (less_ci(b->base, a->base)) return false;
  return a->section < b->section;
}

// RFC 2231 parameters sorted by name, then section; plain ones are not included.
std::vector<const RawParam*> sorted_rfc2231(const std::vector<RawParam>& raw) {
  std::vector<const RawParam*> sorted;
  for (const auto& p : raw) {
    if (p.section >= 0) sorted.push_back(&p);
  }
  std::stable_sort(sorted.begin(), sorted.end(), less_by_name_then_section);
  return sorted;
}

// The parameters as IMAP BODYSTRUCTURE shows them (Dovecot's form; RFC 2231 decoding is the
// client's job): plain parameters in order, then each RFC 2231 parameter with its sections
// joined: "name" when none is encoded, else "name*" = charset'lang'%XX... with '%' in plain
// sections escaped. A parameter with a missing or repeated section keeps its sections as
// written ("name*0", "name*2").
Params wire_form(const std::vector<RawParam>& raw) {
  Params out;
  for (const auto& p : raw) {
    if (p.section < 0) out.emplace_back(std::string(p.name), p.value);
  }
  std::vector<const RawParam*> sorted = sorted_rfc2231(raw);
  for (size_t g = 0; g < sorted.size();) {
    size_t e = g;
    bool complete = true, encoded = false;
    while (e < sorted.size() && iequals(sorted[e]->base, sorted[g]->base)) {
      complete = complete && sorted[e]->section == static_cast<int>(e - g);
      encoded = encoded || sorted[e]->encoded;
      ++e;
    }
    if (!complete) {
      for (size_t k = g; k < e; ++k)
        out.emplace_back(std::string(sorted[k]->name), sorted[k]->value);
    } else if (!encoded) {
      std::string value;
      for (size_t k = g; k < e; ++k) value += sorted[k]->value;
      out.emplace_back(std::string(sorted[g]->base), std::move(value));
    } else {
      std::string value = sorted[g]->encoded ? "" : "''";  // RFC 2231 §4: charset'lang'
      for (size_t k = g; k < e; ++k) {
        if (sorted[k]->encoded) {
          value += sorted[k]->value;
          continue;
        }
        for (char c : sorted[k]->value) value += c == '%' ? std::string("%25") : std::string(1, c);
      }
      out.emplace_back(std::string(sorted[g]->base) + "*", std::move(value));
    }
    g = e;
  }
  return out;
}

// RFC 2231 §3-4 decoded: sections joined under the base name, charset'lang'%XX values
// converted to UTF-8; an RFC 2231 parameter wins over a plain one of the same name.
Params decoded_form(std::vector<RawParam>& raw) {
  bool any_rfc2231 = false;
  for (const auto& p : raw) any_rfc2231 = any_rfc2231 || p.section >= 0;
  Params out;
  if (!any_rfc2231) {  // the common case: keep order, no grouping work
    out.reserve(raw.size());
    for (auto& p : raw) out.emplace_back(std::string(p.base), std::move(p.value));
    return out;
  }
  std::vector<RawParam*> sorted;
  sorted.reserve(raw.size());
  for (auto& p : raw) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(), less_by_name_then_section);
  std::vector<std::pair<size_t, std::pair<std::string, std::string>>> grouped;
  for (size_t g = 0; g < sorted.size();) {
    size_t e = g;
    while (e < sorted.size() && iequals(sorted[e]->base, sorted[g]->base)) ++e;
    std::vector<RawParam*> sections;
    size_t first_order = sorted[g]->order;
    for (size_t k = g; k < e; ++k) {
      first_order = std::min(first_order, sorted[k]->order);
      if (sorted[k]->section >= 0) sections.push_back(sorted[k]);
    }
    if (sections.empty()) {
      for (size_t k = g; k < e; ++k)
        grouped.push_back({sorted[k]->order, {std::string(sorted[k]->base), sorted[k]->value}});
    } else {
      grouped.push_back({first_order, {std::string(sections[0]->base), join_rfc2231(sections)}});
    }
    g = e;
  }
  std::sort(grouped.begin(), grouped.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out.reserve(grouped.size());
  for (auto& g : grouped) out.push_back(std::move(g.second));
  return out;
}

}  // namespace

Params parse_params(std::string_view s, size_t i) {
  std::vector<RawParam> raw;
  while (i < s.size()) {
    skip_cfws(s, i);
    if (i >= s.size()) break;
    if (s[i] != ';') {  // junk between parameters: skip to the next ';' outside quotes
      if (s[i] == '"') {
        std::string ignored;
        read_quoted(s, i, ignored);
      } else {
        ++i;
      }
      continue;
    }
    ++i;
    skip_cfws(s, i);
    std::string_view name = read_token(s, i);
    skip_cfws(s, i);
    if (name.empty() || i >= s.size() || s[i] != '=') continue;
    ++i;
    skip_cfws(s, i);
    RawParam p;
    p.name = name;
    classify_name(name, p);
    if (i < s.size() && s[i] == '"') {
      // RFC 2045 §5.1: an unterminated quoted-string is no value; drop it (as Dovecot).
      if (!read_quoted(s, i, p.value)) continue;
    } else {
      size_t b = i;  // lenient token: stop only at ';', blanks, comments and quotes
      while (i < s.size() && s[i] != ';' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' &&
             s[i] != '\n' && s[i] != '(' && s[i] != '"')
        ++i;
      if (i == b) continue;  // RFC 2045 §5.1: a token has at least one character
      p.value.assign(s.substr(b, i - b));
    }
    p.order = raw.size();
    raw.push_back(std::move(p));
  }
  return wire_form(raw);
}

Params decode_params(const Params& params) {
  std::vector<RawParam> raw(params.size());
  for (size_t k = 0; k < params.size(); ++k) {
    raw[k].name = params[k].first;
    classify_name(raw[k].name, raw[k]);
    raw[k].value = params[k].second;
    raw[k].order = k;
  }
  return decoded_form(raw);
}

std::optional<std::string> decoded_param(const Params& params, std::string_view name) {
  for (auto& [key, value] : decode_params(params)) {
    if (iequals(key, name)) return std::move(value);
  }
  return std::nullopt;
}

ContentType parse_content_type(std::string_view s) {
  ContentType ct;
  size_t i = 0;
  skip_cfws(s, i);
  std::string_view type = read_token(s, i);
  skip_cfws(s, i);
  if (i >= s.size() || s[i] != '/') return ct;
  ++i;
  skip_cfws(s, i);
  std::string_view subtype = read_token(s, i);
  if (type.empty() || subtype.empty()) return ct;
  ct.type.assign(type);
  ct.subtype.assign(subtype);
  ct.params = parse_params(s, i);
  return ct;
}

Disposition parse_disposition(std::string_view s) {
  Disposition d;
  size_t i = 0;
  skip_cfws(s, i);
  d.type.assign(read_token(s, i));
  d.params = parse_params(s, i);
  return d;
}

const std::string* find_param(const Params& params, std::string_view name) {
  for (const auto& p : params) {
    if (iequals(p.first, name)) return &p.second;
  }
  return nullptr;
}

}  // namespace roost::mime
