#include "imap/engine/text_fold.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

unsigned char ascii_lower(unsigned char c) { return static_cast<unsigned>(c - 'A') < 26u ? c + 32 : c; }

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// True when haystack[at..] starts with `needle` (lower-case ASCII), ASCII letters compared
// without case.
bool equals_ascii_ci_at(const unsigned char* at, std::string_view needle) {
  for (size_t k = 0; k < needle.size(); ++k) {
    if (ascii_lower(at[k]) != static_cast<unsigned char>(needle[k])) return false;
  }
  return true;
}

}  // namespace

bool contains_ascii_folded(std::string_view haystack, std::string_view needle) {
  const size_t m = needle.size();
  if (m == 0) return true;
  if (haystack.size() < m) return false;
  const auto* h = reinterpret_cast<const unsigned char*>(haystack.data());
  const size_t last_start = haystack.size() - m;  // the last position a match can begin at
  const auto first = static_cast<unsigned char>(needle.front());
  const auto final = static_cast<unsigned char>(needle.back());
  size_t i = 0;
#if defined(__SSE2__)
  // Sixteen candidate positions at a time: where both the needle's first and last byte match
  // (letters case-blind: OR 0x20 maps only 'A'..'Z' onto 'a'..'z' among bytes equal to a lower
  // letter), then the bytes between are compared.
  auto blind = [](unsigned char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? 0x20 : 0); };
  const __m128i first_v = _mm_set1_epi8(static_cast<char>(first));
  const __m128i final_v = _mm_set1_epi8(static_cast<char>(final));
  const __m128i first_or = _mm_set1_epi8(blind(first));
  const __m128i final_or = _mm_set1_epi8(blind(final));
  for (; i + 16 <= last_start + 1; i += 16) {
    __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i)), first_or);
    __m128i b =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + m - 1)), final_or);
    auto bits = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first_v), _mm_cmpeq_epi8(b, final_v))));
    while (bits != 0) {
      size_t at = i + static_cast<size_t>(__builtin_ctz(bits));
      if (equals_ascii_ci_at(h + at, needle)) return true;
      bits &= bits - 1;
    }
  }
#endif
  for (; i <= last_start; ++i) {
    if (ascii_lower(h[i]) == first && ascii_lower(h[i + m - 1]) == final &&
        equals_ascii_ci_at(h + i, needle)) {
      return true;
    }
  }
  return false;
}

bool contains_folded(std::string_view haystack, std::string_view folded_needle) {
  if (folded_needle.empty()) return true;
  if (haystack.size() < folded_needle.size()) return false;  // folding keeps byte lengths
  // An ASCII needle: folding maps ASCII to ASCII and every other byte to a non-ASCII byte, so
  // it occurs in the folded text exactly where it occurs ignoring ASCII case, no copy needed.
  if (is_ascii(folded_needle)) return contains_ascii_folded(haystack, folded_needle);
  return fold_case(haystack).find(folded_needle) != std::string::npos;
}

}  // namespace roost::imap
