#include "imap/proto/mutf7.h"

#include <cstdint>
#include <vector>

namespace roost::imap {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

Error invalid(std::string text) { return make_error(ErrorKind::Syntax, std::move(text)); }

int alphabet_index(char c) {
  size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// Decodes one UTF-8 code point at text[i]; returns -1 on malformed input.
int32_t next_code_point(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t lead = byte(i);
  int extra;
  int32_t cp;
  if (lead < 0x80) {
    ++i;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1, cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, cp = lead & 0x07;
  } else {
    return -1;
  }
  if (i + static_cast<size_t>(extra) >= text.size()) return -1;
  for (int k = 1; k <= extra; ++k) {
    uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void flush_base64(std::string& out, const std::vector<uint16_t>& units) {
  uint32_t bits = 0;
  int nbits = 0;
  out += '&';
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 0x3F];
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3F];
  out += '-';
}

bool printable(uint8_t c) { return c >= 0x20 && c <= 0x7E; }

}  // namespace

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (next_code_point(text, i) < 0) return false;
  }
  return true;
}

Result<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> pending;  // UTF-16 units awaiting a BASE64 run
  size_t i = 0;
  while (i < utf8.size()) {
    int32_t cp = next_code_point(utf8, i);
    if (cp < 0) return invalid("mailbox name is not valid UTF-8");
    if (cp < 0x80 && printable(static_cast<uint8_t>(cp))) {
      if (!pending.empty()) {
        flush_base64(out, pending);
        pending.clear();
      }
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
      continue;
    }
    if (cp >= 0x10000) {
      uint32_t v = static_cast<uint32_t>(cp) - 0x10000;
      pending.push_back(static_cast<uint16_t>(0xD800 | (v >> 10)));
      pending.push_back(static_cast<uint16_t>(0xDC00 | (v & 0x3FF)));
    } else {
      pending.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!pending.empty()) flush_base64(out, pending);
  return out;
}

Result<std::string> mutf7_decode(std::string_view in) {
  std::string out;
  size_t i = 0;
  bool previous_was_shift = false;  // RFC 3501 §5.1.3: adjacent shifts must be merged
  while (i < in.size()) {
    uint8_t c = static_cast<uint8_t>(in[i]);
    if (!printable(c)) return invalid("mailbox name has 8-bit or control characters");
    if (c != '&') {
      out += static_cast<char>(c);
      ++i;
      previous_was_shift = false;
      continue;
    }
    size_t end = in.find('-', i + 1);
    if (end == std::string_view::npos) return invalid("unterminated modified UTF-7 shift");
    if (end == i + 1) {
      out += '&';
      i = end + 1;
      previous_was_shift = false;
      continue;
    }
    if (previous_was_shift) return invalid("adjacent modified UTF-7 shifts");
    uint32_t bits = 0;
    int nbits = 0;
    uint32_t high = 0;  // pending high surrogate
    for (size_t k = i + 1; k < end; ++k) {
      int v = alphabet_index(in[k]);
      if (v < 0) return invalid("bad modified BASE64 character");
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits < 16) continue;
      nbits -= 16;
      uint32_t unit = (bits >> nbits) & 0xFFFF;
      bits &= (1u << nbits) - 1;
      if (high != 0) {
        if (unit < 0xDC00 || unit > 0xDFFF) return invalid("unpaired UTF-16 surrogate");
        put_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00));
        high = 0;
      } else if (unit >= 0xD800 && unit <= 0xDBFF) {
        high = unit;
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return invalid("unpaired UTF-16 surrogate");
      } else if (unit < 0x80) {
        return invalid(printable(static_cast<uint8_t>(unit))
                           ? "printable ASCII must not be BASE64 encoded"
                           : "mailbox name has control characters");
      } else {
        put_utf8(out, unit);
      }
    }
    if (high != 0) return invalid("unpaired UTF-16 surrogate");
    if (nbits >= 6 || bits != 0) return invalid("bad modified BASE64 padding");
    i = end + 1;
    previous_was_shift = true;
  }
  return out;
}

}  // namespace roost::imap
