#include "mime/charset.h"

#include <gtest/gtest.h>

namespace roost::mime {
namespace {

std::string conv(std::string_view cs, std::string_view bytes) {
  std::string out;
  EXPECT_TRUE(convert_to_utf8(cs, bytes, out)) << cs;
  return out;
}

TEST(Charset, Latin1AndWindows1252) {
  EXPECT_EQ(conv("ISO-8859-1", "caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(conv("latin1", "\xFC"), "\xC3\xBC");
  EXPECT_EQ(conv("windows-1252", "\x80 \x93q\x94"), "\xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
}

TEST(Charset, IconvCharsets) {
  EXPECT_EQ(conv("koi8-r", "\xF0\xD2\xC9\xD7\xC5\xD4"),
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(conv("iso-8859-2", "\xB1"), "\xC4\x85");                          // ą
  EXPECT_EQ(conv("gb2312", "\xC4\xE3\xBA\xC3"), "\xE4\xBD\xA0\xE5\xA5\xBD");  // 你好
  EXPECT_EQ(conv("Shift_JIS", "\x82\xA0"), "\xE3\x81\x82");                   // あ
  EXPECT_EQ(conv("euc-jp", "\xA4\xA2"), "\xE3\x81\x82");
  EXPECT_EQ(conv("iso-2022-jp", "\x1B$B$\"\x1B(B"), "\xE3\x81\x82");
  EXPECT_EQ(conv("utf-7", "Hi +AOk-"), "Hi \xC3\xA9");
}

TEST(Charset, InvalidBytesBecomeReplacement) {
  EXPECT_EQ(conv("utf-8",
                 "a\xFF"
                 "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(conv("utf-8", "\xC3"), "\xEF\xBF\xBD");
  EXPECT_EQ(conv("utf-8", "\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(conv("shift_jis", "a\x82"), "a\xEF\xBF\xBD");  // truncated double byte
}

TEST(Charset, UnknownCharsetIsReported) {
  std::string out = "x";
  EXPECT_FALSE(convert_to_utf8("x-no-such-charset", "abc", out));
  EXPECT_FALSE(convert_to_utf8("UTF-8//TRANSLIT", "abc", out));
  EXPECT_EQ(out, "x");
}

TEST(Charset, UnlabeledBytes) {
  std::string out;
  append_unlabeled("\xC3\xA9", out);
  append_unlabeled(" \xE9", out);
  EXPECT_EQ(out, "\xC3\xA9 \xC3\xA9");
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // overlong
  // Long ASCII runs (read eight bytes at a time) with the bad or good byte anywhere.
  for (size_t at : {0, 7, 8, 9, 15, 16, 23}) {
    std::string text(24, 'x');
    text[at] = '\xFF';
    EXPECT_FALSE(is_valid_utf8(text)) << at;
    text.replace(at, 1, "\xC3\xA9");
    EXPECT_TRUE(is_valid_utf8(text)) << at;
    text.resize(text.size() - 1);
    text += '\xC3';  // a sequence cut at the end
    EXPECT_FALSE(is_valid_utf8(text)) << at;
  }
}

}  // namespace
}  // namespace roost::mime
