// Assembles one SMTP reply (RFC 5321 §4.2) from the lines a remote server sends: "250-a",
// "250-b", "250 c". Pure and bounded (kMaxLines); the line reader bounds line length. A reply
// whose lines disagree on the code, or a line that is not "DDD", "DDD text" or "DDD-text", is an
// error: the remote side is not speaking SMTP.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace roost::queue {

struct SmtpReply {
  int code = 0;                    // 200-599 once complete
  std::vector<std::string> lines;  // text after the code and separator
  std::string text() const;        // the lines joined by spaces
};

class ReplyParser {
 public:
  static constexpr size_t kMaxLines = 1000;
  enum class Step { NeedMore, Done, Error };

  // One line without its CRLF. After Done or Error, reset() before the next reply.
  Step feed_line(std::string_view line);
  const SmtpReply& reply() const { return reply_; }
  const std::string& error() const { return error_; }
  void reset();

 private:
  SmtpReply reply_;
  std::string error_;
};

}  // namespace roost::queue
