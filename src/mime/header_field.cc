#include "mime/header_field.h"

namespace roost::mime {
namespace {
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
}  // namespace

bool split_header_field(std::string_view raw_field, HeaderField& out) {
  size_t colon = raw_field.find(':');
  if (colon == std::string_view::npos) return false;
  size_t name_end = colon;
  while (name_end > 0 && (raw_field[name_end - 1] == ' ' || raw_field[name_end - 1] == '\t'))
    --name_end;
  out.name = raw_field.substr(0, name_end);
  out.value = raw_field.substr(colon + 1);
  return true;
}

void unfold(std::string_view value, std::string& out) {
  value = trim(value);
  out.reserve(out.size() + value.size());
  size_t run = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' || value[i] == '\n') {
      out.append(value.data() + run, i - run);
      run = i + 1;
    }
  }
  out.append(value.data() + run, value.size() - run);
}

std::string unfold(std::string_view value) {
  std::string out;
  unfold(value, out);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace roost::mime
