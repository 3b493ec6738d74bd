#include "pop3/proto/message_encoder.h"

namespace roost::pop3 {

MessageEncoder::MessageEncoder(std::optional<uint32_t> body_lines) : body_lines_(body_lines) {}

void MessageEncoder::end_line() {
  bool empty = line_length_ == 0 || (line_length_ == 1 && prev_cr_);
  at_line_start_ = true;
  prev_cr_ = false;
  line_length_ = 0;
  if (in_header_) {
    if (!empty) return;
    in_header_ = false;  // the blank line ends the header (RFC 5322 §2.1)
    if (body_lines_ && *body_lines_ == 0) done_ = true;
    return;
  }
  if (body_lines_ && ++body_lines_sent_ >= *body_lines_) done_ = true;
}

bool MessageEncoder::feed(std::string_view chunk, std::string& out) {
  size_t at = 0;
  while (at < chunk.size() && !done_) {
    if (at_line_start_) {
      if (chunk[at] == '.') out += '.';  // RFC 1939 §3: byte-stuff a leading termination octet
      at_line_start_ = false;
    }
    size_t lf = chunk.find('\n', at);
    size_t end = lf == std::string_view::npos ? chunk.size() : lf;
    if (end > at) {
      out.append(chunk.substr(at, end - at));
      content_octets_ += end - at;
      line_length_ += end - at;
      prev_cr_ = chunk[end - 1] == '\r';
    }
    if (lf == std::string_view::npos) {
      at = chunk.size();
      break;
    }
    if (prev_cr_) {
      out += '\n';
      content_octets_ += 1;
    } else {
      out += "\r\n";  // a bare LF
      content_octets_ += 2;
    }
    at = lf + 1;
    end_line();
  }
  consumed_ += at;
  return !done_;
}

void MessageEncoder::finish(std::string& out) {
  if (!done_ && !at_line_start_) {
    out += "\r\n";
    content_octets_ += 2;
  }
  done_ = true;
  out += ".\r\n";
}

}  // namespace roost::pop3
