#include "mime/transfer_encoding.h"

#include <gtest/gtest.h>

namespace roost::mime {
namespace {

TEST(Base64, DecodesWithLineBreaks) {
  std::string out;
  EXPECT_TRUE(decode_base64("SGVsbG8s\r\nIHdvcmxk\r\nIQ==\r\n", out));
  EXPECT_EQ(out, "Hello, world!");
}

TEST(Base64, ToleratesGarbage) {
  std::string out;
  EXPECT_FALSE(decode_base64("SGV*sbG8", out));
  EXPECT_EQ(out, "Hello");
  out.clear();
  EXPECT_FALSE(decode_base64("SGVsbG8=junk", out));
  EXPECT_EQ(out, "Hello");
  out.clear();
  EXPECT_FALSE(decode_base64("QUJDR", out));  // dangling sextet
  EXPECT_EQ(out, "ABC");
}

TEST(QuotedPrintable, Basics) {
  std::string out;
  EXPECT_TRUE(decode_quoted_printable("caf=C3=A9 soft=\r\nbreak  \r\nnext=\n", out));
  EXPECT_EQ(out, "caf\xC3\xA9 softbreak\r\nnext");
}

TEST(QuotedPrintable, StrayEqualsKeptAndLowerHexAccepted) {
  std::string out;
  EXPECT_FALSE(decode_quoted_printable("a=zz b=e9 c= \r\nd=", out));
  EXPECT_EQ(out, "a=zz b\xE9 cd");
}

TEST(DecodeBody, ByEncodingName) {
  std::string out;
  EXPECT_TRUE(decode_body("BASE64", "YQ==", out));
  EXPECT_TRUE(decode_body("Quoted-Printable", "=62", out));
  EXPECT_TRUE(decode_body("8bit", "c", out));
  EXPECT_FALSE(decode_body("x-uuencode", "d", out));
  EXPECT_EQ(out, "abc");
}

}  // namespace
}  // namespace roost::mime
