#include "smtp/proto/address.h"

#include <algorithm>
#include <cstdint>

namespace roost::smtp {

namespace {

Error syntax(std::string text) { return make_error(ErrorKind::Syntax, std::move(text)); }

bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// RFC 5322 §3.2.3 atext, plus RFC 6531 §3.3 UTF8-non-ascii (validated as a whole later).
bool is_atext(unsigned char c) {
  if (is_alpha(c) || is_digit(c) || c >= 0x80) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_dot_string(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(c)) {
      return false;
    }
  }
  return true;
}

// RFC 5321 §4.1.2 Domain (sub-domain = Let-dig [Ldh-str]; RFC 6531 U-labels allowed) or an
// address-literal "[...]" (its content: printable ASCII but "[", "]" and "\").
Status check_domain(std::string_view d, const AddressLimits& limits) {
  if (d.empty()) return syntax("Missing domain");
  if (d.size() > limits.max_domain) return syntax("Domain too long");
  if (d.front() == '[') {
    if (d.size() < 3 || d.back() != ']') return syntax("Malformed address literal");
    for (unsigned char c : d.substr(1, d.size() - 2)) {
      if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') {
        return syntax("Malformed address literal");
      }
    }
    return ok();
  }
  size_t label = 0;
  for (size_t i = 0; i <= d.size(); ++i) {
    if (i == d.size() || d[i] == '.') {
      if (label == 0) return syntax("Empty domain label");
      if (d[i - 1] == '-') return syntax("Domain label ends with '-'");
      label = 0;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(d[i]);
    bool ok_char = is_alpha(c) || is_digit(c) || c >= 0x80 || (c == '-' && label > 0);
    if (!ok_char) return syntax("Invalid character in domain");
    ++label;
  }
  if (!is_valid_utf8(d)) return syntax("Domain is not valid UTF-8");
  return ok();
}

// Local-part = Dot-string / Quoted-string; returns the unquoted text, `used` octets consumed.
Result<std::string> parse_local(std::string_view s, size_t& used) {
  std::string local;
  if (!s.empty() && s[0] == '"') {
    size_t i = 1;
    while (true) {
      if (i >= s.size()) return syntax("Unterminated quoted local part");
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"') break;
      if (c == '\\') {
        // quoted-pairSMTP = "\" %d32-126
        if (i + 1 >= s.size()) return syntax("Unterminated quoted local part");
        unsigned char q = static_cast<unsigned char>(s[i + 1]);
        if (q < 32 || q > 126) return syntax("Invalid quoted pair in local part");
        local += static_cast<char>(q);
        i += 2;
        continue;
      }
      // qtextSMTP = %d32-33 / %d35-91 / %d93-126, and UTF-8
      if (c < 32 || c == 127) return syntax("Invalid character in quoted local part");
      local += static_cast<char>(c);
      ++i;
    }
    used = i + 1;
    return local;
  }
  size_t i = 0;
  while (i < s.size() && (is_atext(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  local = std::string(s.substr(0, i));
  if (!is_dot_string(local)) return syntax("Invalid local part");
  used = i;
  return local;
}

Result<Path> parse_mailbox_at(std::string_view s, size_t& used, const AddressLimits& limits) {
  size_t local_used = 0;
  auto local = parse_local(s, local_used);
  if (!local) return local.error();
  if (local->size() > limits.max_local_part) return syntax("Local part too long");
  if (local_used >= s.size() || s[local_used] != '@') return syntax("Missing '@domain'");
  size_t start = local_used + 1;
  size_t end = start;
  if (end < s.size() && s[end] == '[') {
    end = s.find(']', end);
    end = end == std::string_view::npos ? s.size() : end + 1;
  } else {
    while (end < s.size() && s[end] != '>' && s[end] != ' ') ++end;
  }
  std::string_view domain = s.substr(start, end - start);
  if (Status st = check_domain(domain, limits); !st) return st.error();
  if (!is_valid_utf8(*local)) return syntax("Local part is not valid UTF-8");
  used = end;
  return Path{std::move(*local), std::string(domain)};
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= text.size()) return false;
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool Path::is_utf8() const {
  for (unsigned char c : local) {
    if (c >= 0x80) return true;
  }
  for (unsigned char c : domain) {
    if (c >= 0x80) return true;
  }
  return false;
}

std::string Path::address() const {
  if (is_null()) return {};
  std::string out;
  if (is_dot_string(local)) {
    out = local;
  } else {
    out = "\"";
    for (char c : local) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  if (!domain.empty()) {
    out += '@';
    out += domain;
  }
  return out;
}

Result<Path> parse_path(std::string_view text, size_t& used, const AddressLimits& limits,
                        bool allow_null, bool allow_postmaster) {
  if (text.empty() || text[0] != '<') return syntax("Expected '<' to start the address");
  size_t close_limit = std::min(text.size(), limits.max_path);
  if (text.size() >= 2 && text[1] == '>') {
    if (!allow_null) return syntax("The null address <> is not allowed here");
    used = 2;
    return Path{};
  }
  std::string_view s = text.substr(1);
  // RFC 5321 §4.1.2 A-d-l: "@one,@two:" source route, ignored (§C).
  if (!s.empty() && s[0] == '@') {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) return syntax("Malformed source route");
    for (unsigned char c : s.substr(0, colon)) {
      if (c < 33 || c > 126 || c == '<' || c == '>') return syntax("Malformed source route");
    }
    s = s.substr(colon + 1);
  }
  size_t offset = static_cast<size_t>(s.data() - text.data());
  if (allow_postmaster && s.size() >= 11 && ascii_lower(s.substr(0, 11)) == "postmaster>") {
    used = offset + 11;
    return Path{"postmaster", ""};
  }
  size_t mailbox_used = 0;
  auto path = parse_mailbox_at(s, mailbox_used, limits);
  if (!path) return path.error();
  size_t end = offset + mailbox_used;
  if (end >= text.size() || text[end] != '>') return syntax("Expected '>' to end the address");
  used = end + 1;
  if (used > close_limit) return syntax("Address too long");
  return path;
}

Result<Path> parse_mailbox(std::string_view text, const AddressLimits& limits) {
  size_t used = 0;
  auto path = parse_mailbox_at(text, used, limits);
  if (!path) return path;
  if (used != text.size()) return syntax("Unexpected text after the address");
  return path;
}

}  // namespace roost::smtp
