#include "mime/transfer_encoding.h"

#include <array>

namespace roost::mime {
namespace {

constexpr std::array<signed char, 256> make_base64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr auto kBase64 = make_base64_table();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;  // RFC 2045 requires upper case; be lenient
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool decode_base64(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  bool clean = true;
  size_t i = 0;
  for (; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    int v = kBase64[c];
    if (v < 0) {
      if (c == '=') break;
      if (c != '\r' && c != '\n' && c != ' ' && c != '\t') clean = false;
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6) clean = false;  // a lone sextet carries no full byte
  for (; i < in.size(); ++i) {   // only padding and whitespace may follow '='
    char c = in[i];
    if (c != '=' && c != '\r' && c != '\n' && c != ' ' && c != '\t') clean = false;
  }
  return clean;
}

bool decode_quoted_printable(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size());
  bool clean = true;
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    // One line at a time so trailing whitespace can be dropped (RFC 2045 §6.7 rule 3).
    size_t eol = in.find('\n', i);
    size_t line_end = eol == std::string_view::npos ? n : eol;
    size_t content_end = line_end;
    if (content_end > i && in[content_end - 1] == '\r') --content_end;
    size_t trimmed = content_end;
    while (trimmed > i && is_blank(in[trimmed - 1])) --trimmed;
    bool soft_break = false;
    for (size_t j = i; j < trimmed; ++j) {
      char c = in[j];
      if (c != '=') {
        out.push_back(c);
        continue;
      }
      if (j + 1 == trimmed) {  // "=" ending the line: soft line break
        soft_break = true;
        break;
      }
      int hi = j + 1 < trimmed ? hex_value(in[j + 1]) : -1;
      int lo = hi >= 0 && j + 2 < trimmed ? hex_value(in[j + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        j += 2;
      } else {
        clean = false;
        out.push_back('=');  // keep a stray "=" literally, as most decoders do
      }
    }
    if (eol == std::string_view::npos) break;
    if (!soft_break) out.append(in.substr(content_end, eol + 1 - content_end));
    i = eol + 1;
  }
  return clean;
}

TransferEncoding transfer_encoding_from_name(std::string_view name) {
  if (name.empty() || iequals(name, "7bit") || iequals(name, "8bit") || iequals(name, "binary"))
    return TransferEncoding::Identity;
  if (iequals(name, "base64")) return TransferEncoding::Base64;
  if (iequals(name, "quoted-printable")) return TransferEncoding::QuotedPrintable;
  return TransferEncoding::Unknown;
}

bool decode_body(std::string_view encoding, std::string_view in, std::string& out) {
  switch (transfer_encoding_from_name(encoding)) {
    case TransferEncoding::Identity:
      out.append(in);
      return true;
    case TransferEncoding::Base64:
      return decode_base64(in, out);
    case TransferEncoding::QuotedPrintable:
      return decode_quoted_printable(in, out);
    case TransferEncoding::Unknown:
      return false;
  }
  return false;
}

}  // namespace roost::mime
