#include "base/xtext.h"

#include <gtest/gtest.h>

namespace roost {
namespace {

TEST(Xtext, EncodesPlusEqualsAndOctetsOutsidePrintableAscii) {
  EXPECT_EQ(xtext_encode("rfc822;bob@example.org"), "rfc822;bob@example.org");
  EXPECT_EQ(xtext_encode("a+b=c d"), "a+2Bb+3Dc+20d");
  EXPECT_EQ(xtext_encode("\r\n\xc3\xa9"), "+0D+0A+C3+A9");
}

TEST(Xtext, DecodeInvertsEncode) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(xtext_decode(xtext_encode(all)), all);
}

TEST(Xtext, RejectsMalformedEscapes) {
  EXPECT_EQ(xtext_decode("a+2"), std::nullopt);
  EXPECT_EQ(xtext_decode("a+zz"), std::nullopt);
  EXPECT_EQ(xtext_decode("+2b"), std::nullopt);  // lower-case hex is not xtext
  EXPECT_EQ(xtext_decode("+2B"), "+");
}

}  // namespace
}  // namespace roost
