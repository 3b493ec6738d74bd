// The outbound SMTP client's reply parser on what a hostile remote server could send: lines
// split at CRLF, fed until a reply completes or fails, then the next reply.
#include <string_view>

#include "fuzz_util.h"
#include "queue/proto/reply_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  roost::queue::ReplyParser parser;
  size_t lines_in_reply = 0;
  while (!input.empty()) {
    size_t eol = input.find("\r\n");
    std::string_view line = input.substr(0, eol);
    input.remove_prefix(eol == std::string_view::npos ? input.size() : eol + 2);
    auto step = parser.feed_line(line);
    ++lines_in_reply;
    if (step == roost::queue::ReplyParser::Step::Done) {
      FUZZ_CHECK(parser.reply().code >= 200 && parser.reply().code <= 599);
      FUZZ_CHECK(parser.reply().lines.size() == lines_in_reply);
    }
    FUZZ_CHECK(parser.reply().lines.size() <= roost::queue::ReplyParser::kMaxLines);
    if (step != roost::queue::ReplyParser::Step::NeedMore) {
      parser.reset();
      lines_in_reply = 0;
    }
  }
  return 0;
}
