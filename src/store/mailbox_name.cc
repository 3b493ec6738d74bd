#include "store/mailbox_name.h"

namespace roost::store {
namespace {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no C0/C1 controls.
bool valid_utf8_without_controls(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp <= 0x9f) return false;
    i += len;
  }
  return true;
}

bool iequals_inbox(std::string_view s) {
  static constexpr std::string_view kInbox = "inbox";
  if (s.size() != kInbox.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kInbox[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::string> canonical_mailbox_name(std::string_view name) {
  auto bad = [&](const char* why) {
    return make_error(ErrorKind::Syntax, std::string("invalid mailbox name: ") + why);
  };
  if (name.empty()) return bad("empty");
  if (name.size() > kMaxMailboxNameBytes) return bad("too long");
  if (name.front() == '/' || name.back() == '/') return bad("leading or trailing '/'");
  if (name.find("//") != std::string_view::npos) return bad("empty level");
  if (!valid_utf8_without_controls(name)) return bad("not valid UTF-8");
  size_t depth = 1;
  for (char c : name) depth += c == '/';
  if (depth > kMaxMailboxDepth) return bad("too deep");
  std::string out(name);
  size_t first_end = out.find('/');
  if (iequals_inbox(std::string_view(out).substr(0, first_end))) out.replace(0, 5, "INBOX");
  return out;
}

std::vector<std::string> parent_names(std::string_view name) {
  std::vector<std::string> out;
  for (size_t pos = name.find('/'); pos != std::string_view::npos; pos = name.find('/', pos + 1)) {
    out.emplace_back(name.substr(0, pos));
  }
  return out;
}

bool is_inbox(std::string_view canonical_name) { return canonical_name == "INBOX"; }

}  // namespace roost::store
