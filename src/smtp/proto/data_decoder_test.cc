#include "smtp/proto/data_decoder.h"

#include <gtest/gtest.h>

namespace roost::smtp {
namespace {

struct Decoded {
  std::string out;
  size_t used = 0;
  bool done = false;
};

Decoded decode(std::string_view in, size_t piece) {
  DataDecoder d;
  Decoded r;
  for (size_t at = 0; at < in.size() && !d.done(); at += piece) {
    std::string_view part = in.substr(at, piece);
    r.used += d.decode(part, r.out);
  }
  r.done = d.done();
  return r;
}

void expect_decodes(std::string_view in, std::string_view out, bool done, size_t used) {
  for (size_t piece : {in.size() + 1, size_t{1}, size_t{2}, size_t{3}}) {
    Decoded r = decode(in, piece);
    EXPECT_EQ(r.out, out) << in << " piece " << piece;
    EXPECT_EQ(r.done, done) << in << " piece " << piece;
    if (done) {
      EXPECT_EQ(r.used, used) << in << " piece " << piece;
    }
  }
}

TEST(SmtpDataDecoder, Terminator) {
  expect_decodes("Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", "Subject: x\r\n\r\nbody\r\n", true, 23);
  expect_decodes(".\r\n", "", true, 3);
}

TEST(SmtpDataDecoder, Unstuffing) {
  expect_decodes("..hidden\r\n...\r\n.\r\n", ".hidden\r\n..\r\n", true, 18);
  expect_decodes("a.\r\n.b\r\n.\r\n", "a.\r\nb\r\n", true, 11);
}

TEST(SmtpDataDecoder, BareLineEndsNeverTerminate) {
  // SMTP smuggling: only CRLF "." CRLF ends the data.
  expect_decodes("a\n.\r\nMAIL FROM:<x@y>\r\n", "a\n.\r\nMAIL FROM:<x@y>\r\n", false, 0);
  expect_decodes("a\r\n.\nb\r\n", "a\r\n\nb\r\n", false, 0);
  expect_decodes("a\r.\r\n", "a\r.\r\n", false, 0);
  expect_decodes("a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", true, 11);
  expect_decodes("a\r\n.\r\r\n.\r\n", "a\r\n\r\r\n", true, 10);
}

TEST(SmtpDataDecoder, LongLinesAreCopiedWholeAcrossPieces) {
  std::string line(70000, 'x');
  std::string body = line + "\r\n." + line + "\r\n\r\r\n" + line;
  std::string want = line + "\r\n" + line + "\r\n\r\r\n" + line + "\r\n";
  expect_decodes(body + "\r\n.\r\n", want, true, body.size() + 5);
  for (size_t piece : {size_t{4096}, size_t{65536}}) {
    Decoded r = decode(body + "\r\n.\r\n", piece);
    EXPECT_EQ(r.out, want) << "piece " << piece;
    EXPECT_TRUE(r.done) << "piece " << piece;
  }
}

TEST(SmtpDataDecoder, Binary) {
  std::string in("\0\xff\r\n", 4);
  expect_decodes(in + ".\r\n", in, true, 7);
}

}  // namespace
}  // namespace roost::smtp
