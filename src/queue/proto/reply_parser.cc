#include "queue/proto/reply_parser.h"

namespace roost::queue {

std::string SmtpReply::text() const {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : " ") + line;
  return out;
}

void ReplyParser::reset() {
  reply_ = SmtpReply{};
  error_.clear();
}

ReplyParser::Step ReplyParser::feed_line(std::string_view line) {
  auto fail = [&](std::string why) {
    error_ = std::move(why);
    return Step::Error;
  };
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
      line[2] < '0' || line[2] > '9')
    return fail("the server sent something that is not an SMTP reply");
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code)
    return fail("the server changed the reply code within one reply");
  bool more = false;
  if (line.size() > 3) {
    if (line[3] == '-') more = true;
    else if (line[3] != ' ') return fail("the server sent something that is not an SMTP reply");
  }
  reply_.code = code;
  reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  if (!more) return Step::Done;
  if (reply_.lines.size() >= kMaxLines) return fail("the server's reply is too long");
  return Step::NeedMore;
}

}  // namespace roost::queue
