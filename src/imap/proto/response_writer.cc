#include "imap/proto/response_writer.h"

#include "imap/proto/mutf7.h"
#include "imap/proto/syntax_reader.h"

namespace roost::imap {
namespace {

bool quotable(std::string_view value, const StringStyle& style) {
  if (value.size() > style.max_quoted) return false;
  bool eight_bit = false;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n') return false;  // TEXT-CHAR excludes CR, LF, NUL
    if (u >= 0x80) eight_bit = true;
  }
  return !eight_bit || (style.utf8_quoted && is_valid_utf8(value));
}

}  // namespace

bool is_atom(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (!is_atom_char(c)) return false;
  }
  return true;
}

void write_string(std::string& out, std::string_view value, const StringStyle& style) {
  if (quotable(value, style)) {
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    return;
  }
  out += '{';
  out += std::to_string(value.size());
  out += "}\r\n";
  out.append(value);
}

void write_nstring(std::string& out, const std::optional<std::string>& value,
                   const StringStyle& style) {
  if (!value) {
    out += "NIL";
    return;
  }
  write_string(out, *value, style);
}

void write_astring(std::string& out, std::string_view value, const StringStyle& style) {
  if (is_atom(value) && !iequals(value, "NIL")) {
    out.append(value);
    return;
  }
  write_string(out, value, style);
}

void write_mailbox(std::string& out, std::string_view utf8_name, bool utf8_names) {
  if (utf8_name == "INBOX") {
    out += "INBOX";
    return;
  }
  if (utf8_names) {
    StringStyle style;
    style.utf8_quoted = true;
    write_string(out, utf8_name, style);
    return;
  }
  auto encoded = mutf7_encode(utf8_name);
  // Names come from the store and are valid UTF-8; if not, send the bytes rather than lose them.
  write_string(out, encoded ? *encoded : std::string(utf8_name));
}

void write_flag_list(std::string& out, const std::vector<std::string>& flags) {
  out += '(';
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out += ' ';
    out += flags[i];
  }
  out += ')';
}

void write_date_time(std::string& out, const DateTime& value) { out += format_date_time(value); }

}  // namespace roost::imap
