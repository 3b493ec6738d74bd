#include "imap/proto/sasl_response.h"

#include "imap/proto/syntax_reader.h"

namespace roost::imap {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<std::string> decode_base64(std::string_view text) {
  auto bad = [] { return make_error(ErrorKind::Syntax, "Invalid BASE64"); };
  if (text.size() % 4 != 0) return bad();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t group = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        ++pad;
        group <<= 6;
        continue;
      }
      int v = base64_value(c);
      if (v < 0 || pad > 0) return bad();
      group = (group << 6) | static_cast<uint32_t>(v);
    }
    // Non-zero bits under the padding would make two encodings of one value.
    if ((pad == 1 && (group & 0xFF) != 0) || (pad == 2 && (group & 0xFFFF) != 0)) return bad();
    out += static_cast<char>(group >> 16);
    if (pad < 2) out += static_cast<char>((group >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(group & 0xFF);
  }
  return out;
}

Result<SaslResponse> parse_sasl_response(std::string_view line) {
  if (line == "*") return SaslResponse{true, {}};  // RFC 9051 §6.2.2: cancel
  auto data = decode_base64(line);
  if (!data) return data.error();
  return SaslResponse{false, std::move(*data)};
}

bool is_idle_done(std::string_view line) { return iequals(line, "DONE"); }

}  // namespace roost::imap
