#include "smtp/proto/data_decoder.h"

namespace roost::smtp {

size_t DataDecoder::decode(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size() && state_ != State::Done) {
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
