#include "mime/charset.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace roost::mime {
namespace {

// windows-1252 0x80..0x9F; undefined slots map to the C1 control (WHATWG encoding spec).
constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// Length of the well-formed UTF-8 sequence at p (RFC 3629 §4), 0 if invalid.
size_t utf8_sequence_length(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (n < len) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return len;
}

void append_cp1252(std::string_view bytes, std::string& out) {
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0xA0) {
      append_code_point(kCp1252High[c - 0x80], out);
    } else {
      append_code_point(c, out);
    }
  }
}

enum class Builtin { None, Utf8, Ascii, Cp1252 };

std::string lower_ascii(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

// Maps labels seen in real mail to the decoder we use; supersets where mailers mislabel.
std::string_view iconv_name_for(std::string_view name, Builtin& builtin) {
  builtin = Builtin::None;
  if (name == "utf-8" || name == "utf8")
    builtin = Builtin::Utf8;
  else if (name == "us-ascii" || name == "ascii" || name == "ansi_x3.4-1968" ||
           name == "iso646-us" || name == "us")
    builtin = Builtin::Ascii;
  else if (name == "iso-8859-1" || name == "iso8859-1" || name == "iso_8859-1" ||
           name == "latin1" || name == "latin-1" || name == "l1" || name == "windows-1252" ||
           name == "cp1252" || name == "x-cp1252" || name == "iso_8859-1:1987")
    builtin = Builtin::Cp1252;  // WHATWG: iso-8859-1 labels decode as windows-1252
  else if (name == "gb2312" || name == "gbk" || name == "x-gbk" || name == "cp936" ||
           name == "euc-cn" || name == "x-euc-cn")
    return "GB18030";
  else if (name == "shift_jis" || name == "shift-jis" || name == "sjis" || name == "x-sjis" ||
           name == "ms_kanji" || name == "windows-31j" || name == "cp932")
    return "CP932";
  else if (name == "iso-2022-jp")
    return "ISO-2022-JP-2";
  else if (name == "ks_c_5601-1987" || name == "euc-kr" || name == "ks_c_5601" || name == "korean")
    return "CP949";
  else if (name == "utf-7" || name == "utf7" || name == "unicode-1-1-utf-7")
    return "UTF-7";
  return name;
}

bool plausible_charset_name(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '+';
    if (!ok) return false;  // also rules out iconv's "//TRANSLIT" suffixes
  }
  return true;
}

// Small per-thread cache: iconv_open loads gconv modules and is too slow per header.
class IconvCache {
 public:
  ~IconvCache() {
    for (auto& e : entries_) {
      if (e.cd != invalid()) iconv_close(e.cd);
    }
  }
  iconv_t get(const std::string& name) {
    for (auto& e : entries_) {
      if (e.used && e.name == name) return e.cd;
    }
    Entry& e = entries_[next_++ % entries_.size()];
    if (e.used && e.cd != invalid()) iconv_close(e.cd);
    e.used = true;
    e.name = name;
    e.cd = iconv_open("UTF-8", name.c_str());
    return e.cd;
  }
  static iconv_t invalid() { return reinterpret_cast<iconv_t>(-1); }

 private:
  struct Entry {
    std::string name;
    iconv_t cd = invalid();
    bool used = false;
  };
  std::array<Entry, 8> entries_;
  size_t next_ = 0;
};

void convert_with_iconv(iconv_t cd, std::string_view bytes, std::string& out) {
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state (ISO-2022-JP, UTF-7)
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t start = out.size();
  size_t used = start;
  out.resize(start + bytes.size() * 2 + 16);
  while (true) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    size_t rc = in_left == 0 ? iconv(cd, nullptr, nullptr, &dst, &dst_left)
                             : iconv(cd, &in, &in_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (rc != static_cast<size_t>(-1)) {
      if (in_left == 0) break;
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    if (out.size() - used < 3) out.resize(out.size() + 16);
    std::memcpy(out.data() + used, "\xEF\xBF\xBD", 3);  // U+FFFD for the bad byte
    used += 3;
    if (errno == EILSEQ && in_left > 0) {
      ++in;
      --in_left;
      continue;
    }
    break;  // EINVAL: truncated sequence at the end
  }
  out.resize(used);
}

}  // namespace

void append_code_point(char32_t cp, std::string& out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_valid_utf8(std::string_view bytes) {
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  for (size_t i = 0; i < n;) {
    // Eight ASCII bytes at a time (most text), then one byte at a time.
    uint64_t word;
    while (i + 8 <= n && (std::memcpy(&word, p + i, 8), (word & 0x8080808080808080ull) == 0)) i += 8;
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void append_utf8_sanitized(std::string_view bytes, std::string& out) {
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t run = 0;  // start of the pending valid run, copied in one append
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) {
      out.append(bytes.data() + run, i - run);
      out.append("\xEF\xBF\xBD");
      run = ++i;
    } else {
      i += len;
    }
  }
  out.append(bytes.data() + run, n - run);
}

void append_unlabeled(std::string_view bytes, std::string& out) {
  if (is_valid_utf8(bytes)) {
    out.append(bytes);
  } else {
    append_cp1252(bytes, out);
  }
}

bool convert_to_utf8(std::string_view charset, std::string_view bytes, std::string& out) {
  std::string name = lower_ascii(charset);
  Builtin builtin;
  std::string_view iconv_name = iconv_name_for(name, builtin);
  switch (builtin) {
    case Builtin::Utf8:
      append_utf8_sanitized(bytes, out);
      return true;
    case Builtin::Ascii:
      append_unlabeled(bytes, out);
      return true;  // 8-bit despite the label
    case Builtin::Cp1252:
      append_cp1252(bytes, out);
      return true;
    case Builtin::None:
      break;
  }
  if (!plausible_charset_name(name)) return false;
  thread_local IconvCache cache;
  iconv_t cd = cache.get(std::string(iconv_name));
  if (cd == IconvCache::invalid()) return false;
  convert_with_iconv(cd, bytes, out);
  return true;
}

}  // namespace roost::mime
