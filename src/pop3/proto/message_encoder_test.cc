#include "pop3/proto/message_encoder.h"

#include <gtest/gtest.h>

#include <string>

namespace roost::pop3 {
namespace {

// Undoes byte-stuffing and drops the terminator, as a client does.
std::string unstuff(const std::string& wire) {
  std::string out;
  size_t at = 0;
  while (at < wire.size()) {
    size_t end = wire.find("\r\n", at);
    std::string line = wire.substr(at, end - at);
    at = end + 2;
    if (line == ".") break;
    if (!line.empty() && line[0] == '.') line.erase(0, 1);
    out += line + "\r\n";
  }
  return out;
}

// Encodes `message` whole and in pieces of every size up to 7; all must agree.
std::string encode(std::string_view message, std::optional<uint32_t> lines = std::nullopt) {
  std::string whole;
  MessageEncoder e(lines);
  e.feed(message, whole);
  e.finish(whole);
  for (size_t piece = 1; piece <= 7; ++piece) {
    std::string out;
    MessageEncoder p(lines);
    for (size_t at = 0; at < message.size(); at += piece) p.feed(message.substr(at, piece), out);
    p.finish(out);
    EXPECT_EQ(out, whole) << "piece " << piece;
    EXPECT_EQ(p.content_octets(), e.content_octets());
  }
  EXPECT_EQ(e.content_octets(), unstuff(whole).size()) << message;
  return whole;
}

// The octets RETR sends for `message` before stuffing (what LIST must say).
uint64_t octets(std::string_view message) {
  MessageEncoder e;
  std::string out;
  e.feed(message, out);
  e.finish(out);
  return e.content_octets();
}

TEST(Pop3MessageEncoder, CrlfMessagePassesThrough) {
  std::string m = "Subject: x\r\n\r\nHello\r\n";
  EXPECT_EQ(encode(m), m + ".\r\n");
  EXPECT_EQ(octets(m), m.size());
}

TEST(Pop3MessageEncoder, BareLfBecomesCrlf) {
  EXPECT_EQ(encode("Subject: x\n\nHello\nWorld\n"), "Subject: x\r\n\r\nHello\r\nWorld\r\n.\r\n");
  EXPECT_EQ(octets("Subject: x\n\nHello\n"), 21u);
  // Mixed line ends; a CR not followed by LF is left alone.
  EXPECT_EQ(encode("A: 1\r\nB: 2\n\na\rb\r\n"), "A: 1\r\nB: 2\r\n\r\na\rb\r\n.\r\n");
  EXPECT_EQ(encode("a\r\r\n"), "a\r\r\n.\r\n");
}

TEST(Pop3MessageEncoder, DotStuffing) {
  std::string m = "Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nx.\r\n.\n";
  std::string wire = encode(m);
  EXPECT_EQ(wire, "Subject: dots\r\n\r\n..\r\n...\r\n..x\r\nx.\r\n..\r\n.\r\n");
  EXPECT_EQ(unstuff(wire), "Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nx.\r\n.\r\n");
  EXPECT_EQ(encode(".starts"), "..starts\r\n.\r\n");
}

TEST(Pop3MessageEncoder, UnterminatedLastLineAndEmptyMessage) {
  EXPECT_EQ(encode("Subject: x\r\n\r\nno newline"), "Subject: x\r\n\r\nno newline\r\n.\r\n");
  EXPECT_EQ(octets("Subject: x\r\n\r\nno newline"), 26u);
  EXPECT_EQ(encode("ends in CR\r"), "ends in CR\r\r\n.\r\n");
  EXPECT_EQ(octets("ends in CR\r"), 13u);
  EXPECT_EQ(encode(""), ".\r\n");
  EXPECT_EQ(octets(""), 0u);
}

TEST(Pop3MessageEncoder, LongLinesPassIntact) {
  std::string line(2000, 'x');
  std::string m = "Subject: long\n\n" + line + "\n." + line + "\n";
  std::string wire = encode(m);
  EXPECT_EQ(wire, "Subject: long\r\n\r\n" + line + "\r\n.." + line + "\r\n.\r\n");
  EXPECT_EQ(unstuff(wire).size(), octets(m));
}

TEST(Pop3MessageEncoder, Top) {
  std::string m = "A: 1\r\nB: 2\r\n\r\nline1\r\n.line2\r\nline3\r\n";
  EXPECT_EQ(encode(m, 0), "A: 1\r\nB: 2\r\n\r\n.\r\n");
  EXPECT_EQ(encode(m, 2), "A: 1\r\nB: 2\r\n\r\nline1\r\n..line2\r\n.\r\n");
  std::string all = "A: 1\r\nB: 2\r\n\r\nline1\r\n..line2\r\nline3\r\n.\r\n";
  EXPECT_EQ(encode(m, 3), all);
  EXPECT_EQ(encode(m, 100), all);
  // Bare LF messages and a header without a body.
  EXPECT_EQ(encode("A: 1\n\nb1\nb2\n", 1), "A: 1\r\n\r\nb1\r\n.\r\n");
  EXPECT_EQ(encode("A: 1\nB: 2", 0), "A: 1\r\nB: 2\r\n.\r\n");
  EXPECT_EQ(encode("A: 1\r\n\r\nunterminated", 5), "A: 1\r\n\r\nunterminated\r\n.\r\n");
}

TEST(Pop3MessageEncoder, ConsumedTellsWhetherTopSentEverything) {
  auto complete = [](std::string_view m, std::optional<uint32_t> lines) {
    MessageEncoder e(lines);
    std::string out;
    e.feed(m, out);
    e.finish(out);
    return e.consumed() == m.size();
  };
  std::string m = "A: 1\r\n\r\nb1\r\nb2\r\n";
  EXPECT_TRUE(complete(m, std::nullopt));
  EXPECT_TRUE(complete(m, 2));  // stops after the last line: nothing was left out
  EXPECT_TRUE(complete(m, 99999999));
  EXPECT_FALSE(complete(m + "\r\n", 2));  // an empty third line was left out
  EXPECT_FALSE(complete(m, 1));
  EXPECT_FALSE(complete(m, 0));
  EXPECT_TRUE(complete("A: 1\r\n", 0));  // no body at all
}

TEST(Pop3MessageEncoder, TopStopsFeeding) {
  MessageEncoder e(1);
  std::string out;
  EXPECT_TRUE(e.feed("A: 1\r\n\r\n", out));
  EXPECT_FALSE(e.feed("b1\r\nb2\r\n", out));
  EXPECT_TRUE(e.done());
  EXPECT_FALSE(e.feed("more", out));
  e.finish(out);
  EXPECT_EQ(out, "A: 1\r\n\r\nb1\r\n.\r\n");
}

}  // namespace
}  // namespace roost::pop3
