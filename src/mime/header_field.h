// Small helpers over raw header bytes shared by the MIME parser and protocol code
// (SEARCH HEADER, BODY[HEADER.FIELDS]).
#pragma once

#include <string>
#include <string_view>

namespace roost::mime {

// One header field as written: name without the colon, value still folded.
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// Splits "Name : value\r\n folded" (RFC 5322 §2.2; whitespace before the colon tolerated,
// as in obs-optional). Returns false for a line without a colon.
bool split_header_field(std::string_view raw_field, HeaderField& out);

// Calls fn(HeaderField) for each field of a header block (up to its blank line), CRLF or
// bare LF, lines without a colon skipped.
template <class Fn>
void for_each_header_field(std::string_view header, Fn&& fn);

// RFC 5322 §2.2.3: unfolding removes the line breaks; also trims leading/trailing blanks.
void unfold(std::string_view value, std::string& out);
std::string unfold(std::string_view value);

// ASCII case-insensitive equality (header names, MIME tokens).
bool iequals(std::string_view a, std::string_view b);

// Trims spaces, tabs, CR and LF on both ends.
std::string_view trim(std::string_view s);

template <class Fn>
void for_each_header_field(std::string_view header, Fn&& fn) {
  size_t pos = 0, field_begin = std::string_view::npos;
  auto emit = [&](size_t end) {
    if (field_begin == std::string_view::npos) return;
    HeaderField f;
    if (split_header_field(header.substr(field_begin, end - field_begin), f)) fn(f);
    field_begin = std::string_view::npos;
  };
  while (pos < header.size()) {
    size_t eol = header.find('\n', pos);
    size_t next = eol == std::string_view::npos ? header.size() : eol + 1;
    char c = header[pos];
    if (c == '\n' || (c == '\r' && pos + 1 < header.size() && header[pos + 1] == '\n')) break;
    if (c != ' ' && c != '\t') {
      emit(pos);
      field_begin = pos;
    }
    pos = next;
  }
  emit(pos);
}

}  // namespace roost::mime
