// DataDecoder: the streaming decoder of a DATA body (RFC 5321 §4.1.1.4, §4.5.2): removes the
// transparency dot at the start of each line and stops at the terminator CRLF "." CRLF. The
// CRLF before the dot belongs to the message. Only CRLF ends a line: a bare LF or CR never
// starts a line, so "\n.\r\n" or "\r.\r" never end the data (SMTP smuggling; RFC 5321 §2.3.8
// forbids bare CR and LF in SMTP). Pure and incremental: any split of the input decodes alike.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace roost::smtp {

class DataDecoder {
 public:
  // Decodes from `in`, appending message bytes to `out`; returns how many input octets were
  // used. Stops right after the terminator (done() is then true) or at the end of `in`.
  size_t decode(std::string_view in, std::string& out);
  bool done() const { return state_ == State::Done; }
  void reset() { state_ = State::LineStart; }

 private:
  enum class State { LineStart, Middle, Cr, Dot, DotCr, Done };
  State state_ = State::LineStart;
};

}  // namespace roost::smtp
