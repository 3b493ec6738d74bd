#include "imap/proto/mutf7.h"

#include <gtest/gtest.h>

namespace roost::imap {
namespace {

TEST(Mutf7, RoundTripsRfcExamples) {
  // RFC 3501 §5.1.3 example.
  std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  EXPECT_EQ(*mutf7_encode(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(*mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), utf8);
  EXPECT_EQ(*mutf7_encode("A&B"), "A&-B");
  EXPECT_EQ(*mutf7_decode("A&-B"), "A&B");
  EXPECT_EQ(*mutf7_encode("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
  EXPECT_EQ(*mutf7_decode("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  std::string emoji = "\xf0\x9f\x93\xa7 Mail";  // U+1F4E7 needs a surrogate pair
  auto enc = mutf7_encode(emoji);
  ASSERT_TRUE(enc);
  EXPECT_EQ(*enc, "&2D3c5w- Mail");
  EXPECT_EQ(*mutf7_decode(*enc), emoji);
}

TEST(Mutf7, RejectsMalformed) {
  for (const char* bad : {"&", "&U,BTFw", "&AGE-",  // encoded printable ASCII "a"
                          "&U,BTFw-&ZeVnLIqe-",     // adjacent shifts
                          "&2D0-",                  // lone high surrogate
                          "&U,BTF-",                // non-zero padding bits
                          "a\x80", "tab\there", "&!-"}) {
    EXPECT_FALSE(mutf7_decode(bad)) << bad;
  }
  EXPECT_FALSE(mutf7_encode("\xc0\xaf"));      // overlong
  EXPECT_FALSE(mutf7_encode("\xed\xa0\x80"));  // surrogate in UTF-8
}

TEST(Mutf7, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace roost::imap
