// MessageEncoder: a stored message in the wire form of a RETR or TOP response (RFC 1939 §3, §7),
// produced chunk by chunk so a big message is never held in memory:
// - every line ends in CRLF: a bare LF becomes CRLF; a CR not followed by LF stays as it is;
// - a line starting with '.' gets one more '.' (byte-stuffing); long lines pass through intact;
// - an unterminated last line gets CRLF, then the ".\r\n" terminator follows.
// For TOP, only the header, the blank line and the first `body_lines` body lines are sent.
// The octets before byte-stuffing (content_octets()) are what LIST's size (mailbox::pop3_size)
// must match.
// Pure; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roost::pop3 {

class MessageEncoder {
 public:
  // body_lines: nullopt for RETR (the whole message), n for TOP.
  explicit MessageEncoder(std::optional<uint32_t> body_lines = std::nullopt);

  // Appends the wire form of the next `chunk` of the message to `out`. Returns false once TOP
  // has everything it wants; later chunks are ignored.
  bool feed(std::string_view chunk, std::string& out);
  // Ends the response: CRLF after an unterminated last line, then ".\r\n". Call once.
  void finish(std::string& out);

  bool done() const { return done_; }
  // Input bytes used so far: all of them for RETR; for TOP, fewer when it stopped early (so the
  // caller can tell a TOP that sent the whole message).
  uint64_t consumed() const { return consumed_; }
  uint64_t content_octets() const { return content_octets_; }

 private:
  void end_line();

  std::optional<uint32_t> body_lines_;
  uint32_t body_lines_sent_ = 0;
  bool in_header_ = true;
  bool at_line_start_ = true;
  bool prev_cr_ = false;  // the last byte of the current line was CR
  uint64_t line_length_ = 0;
  uint64_t content_octets_ = 0;
  uint64_t consumed_ = 0;
  bool done_ = false;
};

}  // namespace roost::pop3
