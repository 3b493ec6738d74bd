#include "mime/encoded_word.h"

#include <algorithm>

#include "mime/charset.h"
#include "mime/transfer_encoding.h"

namespace roost::mime {
namespace {

struct EncodedWord {
  size_t begin = 0, end = 0;  // span in the raw text
  std::string_view charset;   // without an RFC 2231 §5 "*language" suffix
  char encoding = 'Q';
  std::string_view text;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 2047 §2 caps words at 75 bytes; we accept longer ones from sloppy mailers but bound
// the look-ahead so a header full of "=?" stays linear.
constexpr size_t kMaxWordBytes = 1024;

// Parses an encoded word starting at raw[pos] == '=' (raw[pos+1] == '?').
bool parse_word(std::string_view whole, size_t pos, EncodedWord& w) {
  std::string_view raw = whole.substr(0, std::min(whole.size(), pos + kMaxWordBytes));
  size_t q1 = raw.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 == pos + 2 || q1 + 2 >= raw.size()) return false;
  std::string_view charset = raw.substr(pos + 2, q1 - pos - 2);
  for (char c : charset) {
    if (is_space(c) || c == '=') return false;
  }
  char enc = raw[q1 + 1];
  if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q') return false;
  if (raw[q1 + 2] != '?') return false;
  size_t text_begin = q1 + 3;
  size_t close = raw.find("?=", text_begin);
  if (close == std::string_view::npos) return false;
  std::string_view text = raw.substr(text_begin, close - text_begin);
  for (char c : text) {
    if (is_space(c)) return false;  // RFC 2047 §5: no whitespace inside a word
  }
  size_t star = charset.find('*');
  if (star != std::string_view::npos) charset = charset.substr(0, star);
  if (charset.empty()) return false;
  w.begin = pos;
  w.end = close + 2;
  w.charset = charset;
  w.encoding = static_cast<char>(enc | 0x20);
  w.text = text;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void decode_q(std::string_view text, std::string& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      out.push_back(' ');  // RFC 2047 §4.2 (2)
      continue;
    }
    if (c == '=' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(c);
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

}  // namespace

void append_decoded_header_text(std::string_view raw, std::string& out) {
  std::string pending;  // decoded bytes of adjacent words in one charset
  std::string_view pending_charset;
  size_t pending_begin = 0, pending_end = 0;
  bool have_pending = false;

  auto flush = [&] {
    if (!have_pending) return;
    if (!convert_to_utf8(pending_charset, pending, out)) {
      append_unlabeled(raw.substr(pending_begin, pending_end - pending_begin), out);
    }
    pending.clear();
    have_pending = false;
  };

  size_t pos = 0;  // start of text not yet emitted
  size_t search = 0;
  bool after_word = false;
  while (search < raw.size()) {
    size_t cand = raw.find("=?", search);
    if (cand == std::string_view::npos) break;
    EncodedWord w;
    if (!parse_word(raw, cand, w)) {
      search = cand + 1;
      continue;
    }
    std::string_view gap = raw.substr(pos, cand - pos);
    bool gap_is_space = true;
    for (char c : gap) gap_is_space = gap_is_space && is_space(c);
    if (!(after_word && gap_is_space)) {
      flush();
      append_unlabeled(gap, out);
    }
    if (have_pending && !iequals(pending_charset, w.charset)) flush();
    if (!have_pending) {
      have_pending = true;
      pending_charset = w.charset;
      pending_begin = w.begin;
    }
    pending_end = w.end;
    if (w.encoding == 'b') {
      decode_base64(w.text, pending);
    } else {
      decode_q(w.text, pending);
    }
    after_word = true;
    pos = search = w.end;
  }
  flush();
  append_unlabeled(raw.substr(pos), out);
}

std::string decode_header_text(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  append_decoded_header_text(raw, out);
  return out;
}

}  // namespace roost::mime
