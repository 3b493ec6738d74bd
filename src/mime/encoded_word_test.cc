#include "mime/encoded_word.h"

#include <gtest/gtest.h>

namespace roost::mime {
namespace {

TEST(EncodedWord, BAndQ) {
  EXPECT_EQ(decode_header_text("=?UTF-8?B?Y2Fmw6k=?="), "caf\xC3\xA9");
  EXPECT_EQ(decode_header_text("=?iso-8859-1?q?caf=E9_au_lait?="), "caf\xC3\xA9 au lait");
}

TEST(EncodedWord, AdjacentWordsJoinAcrossWhitespace) {
  // RFC 2047 §8 examples.
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?a?=\t  =?ISO-8859-1?Q?b?="), "ab");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?a?= b"), "a b");
  EXPECT_EQ(decode_header_text("a =?ISO-8859-1?Q?b?="), "a b");
}

TEST(EncodedWord, MultibyteCharacterSplitAcrossWords) {
  // "é" = C3 A9 split between two base64 words.
  EXPECT_EQ(decode_header_text("=?utf-8?B?w6=?= =?utf-8?B?qQ==?="), "\xC3\xA9");
  EXPECT_EQ(decode_header_text("=?utf-8?Q?=C3?= =?utf-8?Q?=A9?="), "\xC3\xA9");
}

TEST(EncodedWord, UnknownCharsetKeptRaw) {
  EXPECT_EQ(decode_header_text("x =?x-unknown?Q?abc?= y"), "x =?x-unknown?Q?abc?= y");
}

TEST(EncodedWord, MalformedWordsLeftAlone) {
  EXPECT_EQ(decode_header_text("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(decode_header_text("=?utf-8?Q?a b?="), "=?utf-8?Q?a b?=");
  EXPECT_EQ(decode_header_text("=?utf-8?Q?abc"), "=?utf-8?Q?abc");
  EXPECT_EQ(decode_header_text("=??Q?abc?="), "=??Q?abc?=");
}

TEST(EncodedWord, LanguageSuffixAndCharsets) {
  EXPECT_EQ(decode_header_text("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
  EXPECT_EQ(decode_header_text("=?koi8-r?B?8NLJ18XU?="),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(decode_header_text("=?ISO-2022-JP?B?GyRCJCIbKEI=?="), "\xE3\x81\x82");
}

TEST(EncodedWord, EightBitTextOutsideWords) {
  EXPECT_EQ(decode_header_text("caf\xE9"), "caf\xC3\xA9");      // latin-1 guess
  EXPECT_EQ(decode_header_text("caf\xC3\xA9"), "caf\xC3\xA9");  // UTF-8 kept
}

}  // namespace
}  // namespace roost::mime
