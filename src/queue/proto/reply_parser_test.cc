#include "queue/proto/reply_parser.h"

#include <gtest/gtest.h>

namespace roost::queue {
namespace {

using Step = ReplyParser::Step;

TEST(ReplyParser, SingleAndMultiLine) {
  ReplyParser p;
  EXPECT_EQ(p.feed_line("220 mx.example ESMTP"), Step::Done);
  EXPECT_EQ(p.reply().code, 220);
  EXPECT_EQ(p.reply().text(), "mx.example ESMTP");
  p.reset();
  EXPECT_EQ(p.feed_line("250-mx.example"), Step::NeedMore);
  EXPECT_EQ(p.feed_line("250-STARTTLS"), Step::NeedMore);
  EXPECT_EQ(p.feed_line("250 SIZE 100"), Step::Done);
  EXPECT_EQ(p.reply().lines, (std::vector<std::string>{"mx.example", "STARTTLS", "SIZE 100"}));
  p.reset();
  EXPECT_EQ(p.feed_line("354"), Step::Done);  // code alone (RFC 5321 §4.2: text optional)
  EXPECT_EQ(p.reply().code, 354);
}

TEST(ReplyParser, NotSmtp) {
  for (std::string_view bad : {"", "25", "HTTP/1.1 400", "650 x", "099 x", "250x", "2a0 x"}) {
    ReplyParser p;
    EXPECT_EQ(p.feed_line(bad), Step::Error) << bad;
    EXPECT_FALSE(p.error().empty());
  }
  ReplyParser p;
  EXPECT_EQ(p.feed_line("250-a"), Step::NeedMore);
  EXPECT_EQ(p.feed_line("550 b"), Step::Error);
}

TEST(ReplyParser, Bounded) {
  ReplyParser p;
  Step last = Step::NeedMore;
  size_t fed = 0;
  while (last == Step::NeedMore && fed < 5000) {
    last = p.feed_line("250-again");
    ++fed;
  }
  EXPECT_EQ(last, Step::Error);
  EXPECT_EQ(fed, ReplyParser::kMaxLines);
}

}  // namespace
}  // namespace roost::queue
