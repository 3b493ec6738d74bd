#include "imap/engine/text_fold.h"

#include "mime/charset.h"

namespace roost::imap {
namespace {

char32_t fold_code_point(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;  // Latin-1 capitals
  if (c >= 0x100 && c <= 0x137) return c | 1;              // Latin Extended-A pairs
  if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;  // Greek capitals
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic capitals
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 when invalid (caller copies a byte).
size_t decode_utf8(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  return len;
}

}  // namespace

void append_folded(std::string_view utf8, std::string& out) {
  out.reserve(out.size() + utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    // A run of ASCII (most text) is lower-cased straight into place.
    size_t end = i;
    while (end < utf8.size() && static_cast<unsigned char>(utf8[end]) < 0x80) ++end;
    if (end > i) {
      size_t at = out.size();
      out.resize(at + (end - i));
      char* dst = out.data() + at;
      for (size_t k = i; k < end; ++k) {
        auto c = static_cast<unsigned char>(utf8[k]);
        *dst++ = static_cast<char>(static_cast<unsigned>(c - 'A') < 26u ? c + 32 : c);
      }
      i = end;
      continue;
    }
    char32_t cp = 0;
    size_t len = decode_utf8(utf8, i, cp);
    if (len == 0) {
      out += utf8[i++];
      continue;
    }
    char32_t folded = fold_code_point(cp);
    if (folded == cp)
      out.append(utf8.substr(i, len));
    else
      mime::append_code_point(folded, out);
    i += len;
  }
}

std::string fold_case(std::string_view utf8) {
  std::string out;
  append_folded(utf8, out);
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view folded_needle) {
  if (folded_needle.empty()) return true;
  if (haystack.size() < folded_needle.size()) return false;  // folding keeps byte lengths
  return fold_case(haystack).find(folded_needle) != std::string::npos;
}

}  // namespace roost::imap
