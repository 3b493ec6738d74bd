#include <gtest/gtest.h>

#include "mime/message.h"

namespace roost::mime {
namespace {

ParsedMessage sample() {
  return parse(
      "From: \"A\" <a@b.test>\r\nTo: G:x@y.test;\r\nSubject: s\r\nDate: 1 Jan 2000 00:00 GMT\r\n"
      "Content-Type: multipart/mixed; boundary=k\r\n\r\n--k\r\nContent-Language: en, fr\r\n"
      "Content-Disposition: inline; filename=a.txt\r\n\r\nhi\r\n--k\r\n"
      "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n--k--\r\n");
}

TEST(MessageCodec, RoundTrip) {
  ParsedMessage m = sample();
  ASSERT_EQ(m.parts.size(), 4u);
  EXPECT_EQ(m.parts[1].language, (std::vector<std::string>{"en", "fr"}));
  std::string bytes = serialize(m);
  EXPECT_EQ(bytes.substr(0, 4), "RMSG");
  auto back = deserialize(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(MessageCodec, RejectsEveryTruncation) {
  std::string bytes = serialize(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = deserialize(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().kind, ErrorKind::Corrupt);
  }
}

TEST(MessageCodec, RejectsTrailingBytesBadVersionAndBadTree) {
  std::string bytes = serialize(sample());
  EXPECT_FALSE(deserialize(bytes + "x"));
  std::string v2 = bytes;
  v2[4] = 2;
  EXPECT_FALSE(deserialize(v2));
  ParsedMessage m = sample();
  m.parts[0].children.push_back(0);  // a cycle
  EXPECT_EQ(deserialize(serialize(m)).error().kind, ErrorKind::Corrupt);
  m = sample();
  m.parts[2].body_offset += 1;  // header and body no longer adjacent
  EXPECT_FALSE(deserialize(serialize(m)));
}

TEST(MessageCodec, SingleByteFlipsNeverCrash) {
  std::string bytes = serialize(sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string b = bytes;
      b[i] = static_cast<char>(b[i] ^ (1 << bit));
      auto r = deserialize(b);
      if (r) {
        EXPECT_FALSE(r->parts.empty());
      }
    }
  }
}

}  // namespace
}  // namespace roost::mime
