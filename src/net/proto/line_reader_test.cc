#include "net/proto/line_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace roost::net {
namespace {

// Drives a reader like a session would: a line ending in "{N}" announces an N-byte literal
// (RFC 9051 §4.3). Adjacent literal chunks are merged so whole and byte-at-a-time runs compare.
class Driver {
 public:
  explicit Driver(ReaderLimits limits) : reader_(limits) {}

  void feed(std::string_view bytes) {
    reader_.feed(bytes);
    drain();
  }
  const std::vector<std::string>& events() const { return events_; }
  LineReader& reader() { return reader_; }

 private:
  void drain() {
    while (true) {
      ReadEvent ev = reader_.next();
      switch (ev.kind) {
        case ReadKind::NeedMore:
          return;
        case ReadKind::Line: {
          events_.push_back("L:" + std::string(ev.data));
          EXPECT_LE(ev.data.size(), reader_.limits().max_line_length);
          auto open = ev.data.rfind('{');
          if (!ev.data.empty() && ev.data.back() == '}' && open != std::string_view::npos) {
            uint64_t n = std::stoull(std::string(ev.data.substr(open + 1)));
            ASSERT_TRUE(reader_.expect_literal(n));
          }
          break;
        }
        case ReadKind::TooLong:
          events_.push_back("TooLong");
          break;
        case ReadKind::LiteralChunk:
          EXPECT_GT(ev.data.size(), 0u);
          EXPECT_LE(ev.data.size(), reader_.limits().max_chunk);
          if (!events_.empty() && events_.back().starts_with("C:")) {
            events_.back() += std::string(ev.data);
          } else {
            events_.push_back("C:" + std::string(ev.data));
          }
          break;
        case ReadKind::LiteralEnd:
          events_.push_back("End");
          break;
      }
    }
  }

  LineReader reader_;
  std::vector<std::string> events_;
};

std::vector<std::string> run_whole(std::string_view input, ReaderLimits limits) {
  Driver d(limits);
  d.feed(input);
  return d.events();
}

std::vector<std::string> run_bytewise(std::string_view input, ReaderLimits limits) {
  Driver d(limits);
  for (char c : input) d.feed(std::string_view(&c, 1));
  return d.events();
}

void expect_events(std::string_view input, ReaderLimits limits,
                   const std::vector<std::string>& want) {
  EXPECT_EQ(run_whole(input, limits), want) << "whole: " << input;
  EXPECT_EQ(run_bytewise(input, limits), want) << "bytewise: " << input;
}

TEST(LineReader, CrlfAndBareLf) {
  expect_events("a1 NOOP\r\nUSER bob\nQUIT\r\n", {}, {"L:a1 NOOP", "L:USER bob", "L:QUIT"});
}

TEST(LineReader, EmptyLinesAndIncompleteTail) { expect_events("\r\n\nabc", {}, {"L:", "L:"}); }

TEST(LineReader, CrInsideLineIsKept) { expect_events("a\rb\r\n", {}, {"L:a\rb"}); }

TEST(LineReader, LineExactlyAtLimitIsReturned) {
  ReaderLimits limits{.max_line_length = 5, .max_chunk = 4};
  expect_events("12345\r\n12345\n", limits, {"L:12345", "L:12345"});
}

TEST(LineReader, TooLongIsReportedOnceAndReadingContinues) {
  ReaderLimits limits{.max_line_length = 5, .max_chunk = 4};
  expect_events("123456\r\nok\r\n" + std::string(100, 'x') + "\r\nnext\n", limits,
                {"TooLong", "L:ok", "TooLong", "L:next"});
}

TEST(LineReader, TooLongByOneWithCr) {
  ReaderLimits limits{.max_line_length = 5, .max_chunk = 4};
  expect_events("123456\nabcde\r\n", limits, {"TooLong", "L:abcde"});
}

TEST(LineReader, DiscardKeepsMemoryBounded) {
  ReaderLimits limits{.max_line_length = 10, .max_chunk = 4};
  LineReader r(limits);
  r.feed(std::string(100, 'x'));
  EXPECT_EQ(r.next().kind, ReadKind::TooLong);
  EXPECT_EQ(r.next().kind, ReadKind::NeedMore);
  for (int i = 0; i < 1000; ++i) {
    r.feed(std::string(1000, 'y'));
    EXPECT_EQ(r.next().kind, ReadKind::NeedMore);
    EXPECT_FALSE(r.has_buffered());
  }
  r.feed("tail\nok\n");
  ReadEvent ev = r.next();
  EXPECT_EQ(ev.kind, ReadKind::Line);
  EXPECT_EQ(ev.data, "ok");
}

TEST(LineReader, LiteralInChunksThenLineMode) {
  ReaderLimits limits{.max_line_length = 100, .max_chunk = 4};
  expect_events("A APPEND INBOX {10}\r\n0123456789\r\nB NOOP\r\n", limits,
                {"L:A APPEND INBOX {10}", "C:0123456789", "End", "L:", "L:B NOOP"});
}

TEST(LineReader, LiteralContainingNewlinesAndContinuation) {
  ReaderLimits limits{.max_line_length = 100, .max_chunk = 3};
  expect_events("A LOGIN {3}\r\na\nb {2}\r\n\r\n\r\n", limits,
                {"L:A LOGIN {3}", "C:a\nb", "End", "L: {2}", "C:\r\n", "End", "L:"});
}

TEST(LineReader, ZeroLengthLiteral) {
  expect_events("X {0}\r\nY\r\n", {}, {"L:X {0}", "End", "L:Y"});
}

TEST(LineReader, LiteralLargerThanLineLimitIsNotTooLong) {
  ReaderLimits limits{.max_line_length = 8, .max_chunk = 16};
  std::string body(1000, 'z');
  expect_events("S {1000}\r\n" + body + "\r\n", limits, {"L:S {1000}", "C:" + body, "End", "L:"});
}

TEST(LineReader, ChunksNeverExceedMaxChunkAndConserveBytes) {
  ReaderLimits limits{.max_line_length = 8, .max_chunk = 7};
  LineReader r(limits);
  ASSERT_TRUE(r.expect_literal(50));
  r.feed(std::string(60, 'q'));
  size_t total = 0;
  while (true) {
    ReadEvent ev = r.next();
    if (ev.kind == ReadKind::LiteralEnd) break;
    ASSERT_EQ(ev.kind, ReadKind::LiteralChunk);
    ASSERT_LE(ev.data.size(), 7u);
    total += ev.data.size();
  }
  EXPECT_EQ(total, 50u);
  EXPECT_EQ(r.buffered_size(), 10u);
  EXPECT_FALSE(r.in_literal());
}

TEST(LineReader, ExpectLiteralTwiceIsAnError) {
  LineReader r;
  ASSERT_TRUE(r.expect_literal(3));
  auto st = r.expect_literal(3);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::Internal);
}

// RFC 3207 §4.2: bytes pipelined after STARTTLS are discarded, never read after the upgrade.
// A connection about to wait frees what the last burst left (net::Connection::fill()).
TEST(LineReader, ReleaseConsumedFreesTheBufferOnlyWhenNothingIsUnread) {
  LineReader reader(ReaderLimits{.max_line_length = 1 << 20, .max_chunk = 1 << 20});
  reader.feed(std::string(100000, 'x') + "\r\n");
  ASSERT_EQ(reader.next().kind, ReadKind::Line);
  EXPECT_GE(reader.capacity(), 100000u);
  reader.release_consumed();
  EXPECT_LT(reader.capacity(), 64u);

  reader.feed(std::string(5000, 'y') + "\r\nnext");
  ASSERT_EQ(reader.next().kind, ReadKind::Line);
  reader.release_consumed();  // "next" is unread: kept
  EXPECT_EQ(reader.buffered_size(), 4u);
  EXPECT_LT(reader.capacity(), 1024u);
  reader.feed(" line\r\n");
  ReadEvent ev = reader.next();
  ASSERT_EQ(ev.kind, ReadKind::Line);
  EXPECT_EQ(ev.data, "next line");
}

TEST(LineReader, TakeBufferedDiscardsPipelinedBytes) {
  LineReader r;
  r.feed("STARTTLS\r\nINJECTED\r\nMORE");
  ReadEvent ev = r.next();
  ASSERT_EQ(ev.kind, ReadKind::Line);
  EXPECT_EQ(ev.data, "STARTTLS");
  EXPECT_TRUE(r.has_buffered());
  EXPECT_EQ(r.take_buffered(), "INJECTED\r\nMORE");
  EXPECT_FALSE(r.has_buffered());
  EXPECT_EQ(r.next().kind, ReadKind::NeedMore);
  r.feed("EHLO x\r\n");
  ev = r.next();
  ASSERT_EQ(ev.kind, ReadKind::Line);
  EXPECT_EQ(ev.data, "EHLO x");
}

TEST(LineReader, TakeBufferedEndsDiscard) {
  ReaderLimits limits{.max_line_length = 3, .max_chunk = 4};
  LineReader r(limits);
  r.feed("abcdefg");
  EXPECT_EQ(r.next().kind, ReadKind::TooLong);
  r.take_buffered();
  r.feed("ok\n");
  ReadEvent ev = r.next();
  ASSERT_EQ(ev.kind, ReadKind::Line);
  EXPECT_EQ(ev.data, "ok");
}

}  // namespace
}  // namespace roost::net
