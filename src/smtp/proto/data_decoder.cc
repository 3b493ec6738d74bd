#include "smtp/proto/data_decoder.h"

namespace roost::smtp {

size_t DataDecoder::decode(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size() && state_ != State::Done) {
    if (state_ == State::Middle) {
      // Inside a line only CR changes the state: copy the run before it in one append (a byte
      // at a time, decoding was a third of the CPU time of 1 MiB messages).
      size_t cr = in.find('\r', i);
      size_t end = cr == std::string_view::npos ? in.size() : cr;
      out.append(in.data() + i, end - i);
      i = end;
      if (i == in.size()) break;
    }
    char c = in[i++];
    switch (state_) {
      case State::LineStart:
        if (c == '.') {
          state_ = State::Dot;  // a dot-stuffed line or the terminator: the dot is not data
          break;
        }
        [[fallthrough]];
      case State::Middle:
        out += c;
        state_ = c == '\r' ? State::Cr : State::Middle;
        break;
      case State::Cr:
        out += c;
        state_ = c == '\n' ? State::LineStart : c == '\r' ? State::Cr : State::Middle;
        break;
      case State::Dot:
        if (c == '\r') {
          state_ = State::DotCr;
        } else {
          out += c;
          state_ = State::Middle;
        }
        break;
      case State::DotCr:
        if (c == '\n') {
          state_ = State::Done;
        } else {
          // "." CR x: the dot was stuffing, the CR is data.
          out += '\r';
          out += c;
          state_ = c == '\r' ? State::Cr : State::Middle;
        }
        break;
      case State::Done:
        break;
    }
  }
  return i;
}

}  // namespace roost::smtp
