// Framing: literals and continuations, APPEND streaming, limits, resynchronisation.
#include "imap/proto/command_parser.h"

#include <gtest/gtest.h>

#include "imap/proto/parser_test_util.h"

namespace roost::imap {
namespace {

using testing::parse_error;
using testing::parse_one;
using testing::run_parser;
using K = ParseEventKind;

TEST(CommandParser, SynchronizingLiteralAsksForContinuation) {
  CommandParser p;
  p.feed("a1 LOGIN {4}\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, K::NeedContinuation);
  EXPECT_EQ(e.tag, "a1");
  EXPECT_EQ(e.literal_size, 4u);
  EXPECT_EQ(p.next().kind, K::NeedMore);
  p.feed("fred {6}\r\n");
  EXPECT_EQ(p.next().kind, K::NeedContinuation);
  p.feed("secret\r\n");
  e = p.next();
  ASSERT_EQ(e.kind, K::Command);
  EXPECT_EQ(std::get<LoginArgs>(e.command->args).password, "secret");
  EXPECT_EQ(p.next().kind, K::NeedMore);
}

TEST(CommandParser, NonSynchronizingLiteralNeedsNoContinuation) {
  auto run = run_parser("a LOGIN {4+}\r\nfred {2+}\r\npw\r\nb NOOP\r\n", 1);
  EXPECT_EQ(run.kinds, (std::vector<K>{K::Command, K::Command}));
}

TEST(CommandParser, LiteralMayContainCrlfAndBraces) {
  Command c = parse_one("a SEARCH SUBJECT {7}\r\na\r\n{3}\r ALL\r\n");
  EXPECT_EQ(std::get<SearchArgs>(c.args).key.children[0].text, "a\r\n{3}\r");
}

TEST(CommandParser, PipelinedCommandsComeOutInOrder) {
  for (size_t piece : {0, 1, 3, 7}) {
    auto run = run_parser("a NOOP\r\nb SELECT INBOX\r\n\r\nc FETCH 1 UID\r\nd LOGOUT\r\n", piece);
    ASSERT_EQ(run.commands.size(), 4u) << piece;
    EXPECT_EQ(run.commands[3].tag, "d");
    EXPECT_TRUE(run.errors.empty());
  }
}

TEST(CommandParser, SynchronizingLiteralOverLimitIsRefusedAtOnce) {
  ParserLimits limits;
  limits.max_literal_size = 10;
  CommandParser p(limits);
  p.feed("t1 LOGIN {11}\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, K::Error);
  EXPECT_EQ(e.tag, "t1");
  EXPECT_EQ(e.error->kind, ErrorKind::TooBig);
  // The client got no "+", so the next line is a new command.
  p.feed("t2 NOOP\r\n");
  e = p.next();
  ASSERT_EQ(e.kind, K::Command);
  EXPECT_EQ(e.tag, "t2");
}

TEST(CommandParser, NonSynchronizingLiteralOverLimitIsSkippedThenReported) {
  ParserLimits limits;
  limits.max_literal_size = 4;
  for (size_t piece : {0, 1, 5}) {
    auto run = run_parser("t1 LOGIN {10+}\r\n0123456789 {3+}\r\nabc\r\nt2 NOOP\r\n", piece, limits);
    ASSERT_EQ(run.errors.size(), 1u);
    EXPECT_EQ(run.errors[0].first, "t1");
    EXPECT_EQ(run.errors[0].second.kind, ErrorKind::TooBig);
    ASSERT_EQ(run.commands.size(), 1u);
    EXPECT_EQ(run.commands[0].tag, "t2");
  }
  // LITERAL- (RFC 7888 §4): non-synchronizing literals above 4096 are refused.
  ParserLimits minus;
  minus.max_nonsync_literal_size = 4096;
  std::string big(5000, 'x');
  auto run = run_parser("a LOGIN {5000+}\r\n" + big + " x\r\nb NOOP\r\n", 0, minus);
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0].second.kind, ErrorKind::TooBig);
  EXPECT_EQ(run.commands.size(), 1u);
}

// RFC 7888 §4: under LITERAL- a non-synchronizing literal of up to 4096 octets is accepted; a
// larger one is read past (its bytes never run as commands, even when they look like some) and
// the command is refused with BAD [TOOBIG]. Synchronizing literals are not limited by it.
TEST(CommandParser, LiteralMinusLimitsNonSynchronizingLiterals) {
  ParserLimits minus;
  minus.max_nonsync_literal_size = kLiteralMinusLimit;
  Command login = parse_one("a LOGIN {4096+}\r\n" + std::string(4096, 'u') + " pw\r\n", minus);
  EXPECT_EQ(std::get<LoginArgs>(login.args).user, std::string(4096, 'u'));

  std::string inside = "\r\nx1 LOGOUT\r\n";  // looks like a command, must never be one
  std::string big = inside + std::string(4097 - inside.size(), 'p');
  std::string input = "a LOGIN fred {4097+}\r\n" + big + "\r\nb NOOP\r\n";
  for (size_t piece : {0, 1, 1000}) {
    auto run = run_parser(input, piece, minus);
    ASSERT_EQ(run.errors.size(), 1u) << piece;
    EXPECT_EQ(run.errors[0].first, "a");
    EXPECT_EQ(run.errors[0].second.kind, ErrorKind::TooBig);
    EXPECT_NE(run.errors[0].second.text.find("4096"), std::string::npos);
    ASSERT_EQ(run.commands.size(), 1u) << piece;
    EXPECT_EQ(run.commands[0].tag, "b");
  }
  // The too-big literal may come after an accepted one, with more literals behind it.
  input = "a LOGIN {3+}\r\nabc {5000+}\r\n" + std::string(5000, 'z') + " {2+}\r\nzz\r\nb NOOP\r\n";
  for (size_t piece : {0, 1}) {
    auto run = run_parser(input, piece, minus);
    EXPECT_EQ(run.kinds, (std::vector<K>{K::Error, K::Command})) << piece;
  }
  // An APPEND message is limited the same way; a synchronizing one of any size is invited.
  input = "a APPEND INBOX {4097+}\r\n" + std::string(4097, 'm') + "\r\nb NOOP\r\n";
  for (size_t piece : {0, 1}) {
    auto run = run_parser(input, piece, minus);
    EXPECT_EQ(run.kinds, (std::vector<K>{K::Error, K::Command})) << piece;
    EXPECT_TRUE(run.starts.empty());
  }
  input = "a APPEND INBOX {4096+}\r\n" + std::string(4096, 'm') + "\r\n";
  auto run = run_parser(input, 1, minus);
  EXPECT_EQ(run.kinds, (std::vector<K>{K::LiteralStart, K::LiteralEnd, K::Command}));
  CommandParser p(minus);
  p.feed("a APPEND INBOX {100000}\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, K::LiteralStart);
  EXPECT_TRUE(e.synchronizing);
  EXPECT_EQ(e.literal_size, 100000u);
  // LITERAL+ (the default limits) takes the same 4097 octets without a round trip.
  Command plus = parse_one("a LOGIN fred {4097+}\r\n" + big + "\r\n");
  EXPECT_EQ(std::get<LoginArgs>(plus.args).password, big);
}

TEST(CommandParser, AppendStreamsTheMessageInChunks) {
  std::string msg(10000, 'm');
  msg.replace(0, 20, "Subject: hi\r\n\r\nbody\r\n");
  std::string input = "A003 APPEND saved-messages (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {" +
                      std::to_string(msg.size()) + "}\r\n" + msg + "\r\nA004 NOOP\r\n";
  ParserLimits limits;
  limits.max_chunk = 1000;
  limits.max_literal_size = 100;  // APPEND messages have their own limit
  for (size_t piece : {0, 1, 333}) {
    auto run = run_parser(input, piece, limits);
    ASSERT_TRUE(run.errors.empty()) << run.errors[0].second.text;
    ASSERT_EQ(run.starts.size(), 1u);
    EXPECT_EQ(run.starts[0].flags, std::vector<std::string>{"\\Seen"});
    ASSERT_TRUE(run.starts[0].internal_date);
    EXPECT_EQ(run.starts[0].internal_date->zone_minutes, -480);
    EXPECT_EQ(run.starts[0].size, msg.size());
    EXPECT_EQ(run.literals[0], msg);
    EXPECT_LE(run.max_chunk_seen, 1000u);
    EXPECT_EQ(run.kinds, (std::vector<K>{K::LiteralStart, K::LiteralEnd, K::Command, K::Command}));
    ASSERT_EQ(run.commands.size(), 2u);
    const auto& a = std::get<AppendArgs>(run.commands[0].args);
    EXPECT_EQ(run.commands[0].name, CommandName::Append);
    EXPECT_EQ(a.mailbox, "saved-messages");
    EXPECT_EQ(a.messages.size(), 1u);
  }
}

TEST(CommandParser, AppendLiteralStartComesBeforeTheContinuation) {
  CommandParser p;
  p.feed("a APPEND Drafts {5}\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, K::LiteralStart);
  EXPECT_TRUE(e.synchronizing);
  EXPECT_EQ(e.mailbox, "Drafts");
  EXPECT_EQ(p.next().kind, K::NeedMore);
  // The session refuses (say NO [TRYCREATE]); the client then sends a new command.
  p.reject_literal();
  p.feed("b NOOP\r\n");
  e = p.next();
  ASSERT_EQ(e.kind, K::Command);
  EXPECT_EQ(e.tag, "b");
}

TEST(CommandParser, RejectedNonSyncAppendIsSkipped) {
  CommandParser p;
  p.feed("a APPEND Drafts {5+}\r\nhel");
  ASSERT_EQ(p.next().kind, K::LiteralStart);
  p.reject_literal();
  EXPECT_EQ(p.next().kind, K::NeedMore);
  p.feed("lo\r\nb NOOP\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, K::Command);
  EXPECT_EQ(e.tag, "b");
}

TEST(CommandParser, MultiAppendUtf8AndBinary) {
  std::string input =
      "a APPEND {6}\r\nfolder {3+}\r\none (\\Draft) ~{3}\r\ntwo UTF8 (~{5+}\r\nthree) "
      "\"01-Jan-2024 00:00:00 +0000\" {0}\r\n\r\n";
  for (size_t piece : {0, 1, 4}) {
    auto run = run_parser(input, piece);
    ASSERT_TRUE(run.errors.empty()) << run.errors[0].second.text;
    ASSERT_EQ(run.starts.size(), 4u);
    EXPECT_EQ(run.literals, (std::vector<std::string>{"one", "two", "three", ""}));
    EXPECT_TRUE(run.starts[1].binary);
    EXPECT_EQ(run.starts[1].flags, std::vector<std::string>{"\\Draft"});
    EXPECT_TRUE(run.starts[2].utf8);
    EXPECT_TRUE(run.starts[3].internal_date);
    ASSERT_EQ(run.commands.size(), 1u);
    const auto& a = std::get<AppendArgs>(run.commands[0].args);
    EXPECT_EQ(a.mailbox, "folder");
    EXPECT_EQ(a.messages.size(), 4u);
  }
}

TEST(CommandParser, AppendErrors) {
  EXPECT_EQ(parse_error("a APPEND INBOX\r\n").first, "a");
  EXPECT_EQ(parse_error("a APPEND INBOX (\\Seen) junk {3}\r\n").first, "a");
  EXPECT_EQ(parse_error("a APPEND INBOX UTF8 ({3}\r\n").first, "a");  // needs literal8
  // Over max_append_size: refused before the continuation.
  ParserLimits limits;
  limits.max_append_size = 100;
  auto e = parse_error("a APPEND INBOX {101}\r\n", limits);
  EXPECT_EQ(e.second.kind, ErrorKind::TooBig);
  // Junk after a streamed message: the command fails after the bytes were handed out.
  auto run = run_parser("a APPEND INBOX {2+}\r\nhi junk\r\nb NOOP\r\n");
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_EQ(run.errors[0].first, "a");
  EXPECT_EQ(run.commands.size(), 1u);
  EXPECT_EQ(parse_error("a LOGIN ~{3}\r\n").first, "a");  // literal8 only in APPEND
}

TEST(CommandParser, LongLinesAreRejectedAndSkipped) {
  ParserLimits limits;
  limits.max_line_length = 50;
  std::string input = "t1 SEARCH " + std::string(200, 'X') + "\r\nt2 NOOP\r\n";
  for (size_t piece : {0, 1, 17}) {
    auto run = run_parser(input, piece, limits);
    ASSERT_EQ(run.errors.size(), 1u) << piece;
    EXPECT_EQ(run.errors[0].first, "t1");
    EXPECT_EQ(run.errors[0].second.kind, ErrorKind::Limit);
    ASSERT_EQ(run.commands.size(), 1u);
    EXPECT_EQ(run.commands[0].tag, "t2");
  }
  // A long line that announces a non-synchronizing literal: the literal is skipped too.
  input = "t1 LOGIN " + std::string(100, 'u') + " {5+}\r\nx\r\ny\r\nt2 NOOP\r\n";
  auto run = run_parser(input, 0, limits);
  ASSERT_EQ(run.commands.size(), 1u);
  EXPECT_EQ(run.commands[0].tag, "t2");
}

TEST(CommandParser, NestingRangesAndKeysAreBounded) {
  ParserLimits limits;
  limits.max_nesting = 3;
  EXPECT_EQ(parse_error("a SEARCH ((((SEEN))))\r\n", limits).second.kind, ErrorKind::Limit);
  EXPECT_EQ(parse_error("a SEARCH NOT NOT NOT NOT SEEN\r\n", limits).second.kind, ErrorKind::Limit);
  parse_one("a SEARCH ((SEEN))\r\n", limits);
  limits = {};
  limits.max_sequence_ranges = 3;
  EXPECT_EQ(parse_error("a FETCH 1,2,3,4 FLAGS\r\n", limits).second.kind, ErrorKind::Limit);
  EXPECT_EQ(parse_error("a SEARCH 1,2 UID 3,4\r\n", limits).second.kind, ErrorKind::Limit);
  parse_one("a FETCH 1,2,3 FLAGS\r\n", limits);
  limits = {};
  limits.max_search_keys = 3;
  EXPECT_EQ(parse_error("a SEARCH SEEN SEEN SEEN SEEN\r\n", limits).first, "a");
  limits = {};
  limits.max_command_size = 100;
  EXPECT_EQ(parse_error("a LOGIN {60}\r\n" + std::string(60, 'x') + " {60+}\r\n" +
                            std::string(60, 'y') + "\r\n",
                        limits)
                .second.kind,
            ErrorKind::TooBig);
}

TEST(CommandParser, MalformedLiteralsAreSyntaxErrors) {
  EXPECT_EQ(parse_error("a LOGIN {4} fred pw\r\n").second.kind, ErrorKind::Syntax);
  EXPECT_EQ(parse_error("b LOGIN {x}\r\n").first, "b");
  EXPECT_EQ(parse_error("c LOGIN {}\r\n").first, "c");
  EXPECT_EQ(parse_error(std::string("d LOGIN {2}\r\n\0x pw\r\n", 20)).first, "d");  // no NUL
  // A size that does not even fit in 64 bits is simply too big.
  EXPECT_EQ(parse_error("e LOGIN {99999999999999999999}\r\n").second.kind, ErrorKind::TooBig);
}

TEST(CommandParser, NoContinuationForLinesWithoutATag) {
  // Found by fuzz_imap_command: a garbage line ending in {n} must not get "+".
  auto run = run_parser("\xb1\xb1 LOGIN fred {6}\r\nb NOOP\r\n", 1);
  EXPECT_EQ(run.kinds, (std::vector<K>{K::Error, K::Command}));
  EXPECT_EQ(run.errors[0].first, "");
}

TEST(CommandParser, ExpectLineHandsOutRawLines) {
  CommandParser p;
  p.feed("a AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\nb NOOP\r\n");
  ParseEvent e = p.next();
  ASSERT_EQ(e.kind, K::Command);
  p.expect_line();
  e = p.next();
  ASSERT_EQ(e.kind, K::Line);
  EXPECT_EQ(e.data, "AGZyZWQAc2VjcmV0");
  EXPECT_EQ(p.next().kind, K::Command);
}

TEST(CommandParser, TakeBufferedReturnsPipelinedBytes) {
  CommandParser p;
  p.feed("a STARTTLS\r\nb NOOP\r\n");
  ASSERT_EQ(p.next().kind, K::Command);
  EXPECT_TRUE(p.has_buffered());
  EXPECT_EQ(p.take_buffered(), "b NOOP\r\n");
  EXPECT_EQ(p.next().kind, K::NeedMore);
}

}  // namespace
}  // namespace roost::imap
