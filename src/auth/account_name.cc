#include "auth/account_name.h"

namespace roost::auth {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

Error bad(std::string_view name, std::string_view why) {
  return make_error(ErrorKind::Syntax,
                    "invalid account name \"" + std::string(name) + "\": " + std::string(why));
}

}  // namespace

Result<std::string> normalize_account_name(std::string_view name) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!name.empty() && blank(name.front())) name.remove_prefix(1);
  while (!name.empty() && blank(name.back())) name.remove_suffix(1);
  if (name.empty()) return make_error(ErrorKind::Syntax, "the account name is empty");
  if (name.size() > kMaxAccountNameLength) return bad(name, "longer than 254 characters");
  std::string out;
  out.reserve(name.size());
  for (char c : name) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;

  auto at = out.find('@');
  std::string_view local = std::string_view(out).substr(0, at);
  if (local.empty()) return bad(name, "nothing before '@'");
  if (local.size() > 64) return bad(name, "the part before '@' is longer than 64 characters");
  for (char c : local) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-' && c != '+') {
      return bad(name, "only letters, digits, '.', '_', '-', '+' and one '@' are allowed");
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return bad(name, "dots must separate words");
  }
  if (at == std::string::npos) return out;

  std::string_view domain = std::string_view(out).substr(at + 1);
  if (domain.empty()) return bad(name, "nothing after '@'");
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return bad(name, "bad domain after '@'");
    for (char c : label) {
      if (!is_alnum(c) && c != '-') {
        return bad(name, c == '@' ? "only one '@' is allowed" : "bad domain after '@'");
      }
    }
    if (label.front() == '-' || label.back() == '-') return bad(name, "bad domain after '@'");
    start = dot + 1;
  }
  return out;
}

}  // namespace roost::auth
