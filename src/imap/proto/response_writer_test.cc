#include "imap/proto/response_writer.h"

#include <gtest/gtest.h>

namespace roost::imap {
namespace {

template <class Fn>
std::string written(Fn&& fn) {
  std::string out;
  fn(out);
  return out;
}

TEST(ResponseWriter, StringsChooseQuotedOrLiteral) {
  EXPECT_EQ(written([](auto& o) { write_string(o, "hello world"); }), "\"hello world\"");
  EXPECT_EQ(written([](auto& o) { write_string(o, "a\"b\\c"); }), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(written([](auto& o) { write_string(o, ""); }), "\"\"");
  EXPECT_EQ(written([](auto& o) { write_string(o, "a\r\nb"); }), "{4}\r\na\r\nb");
  EXPECT_EQ(written([](auto& o) {
              write_string(o,
                           "Gr\xc3\xbc\xc3\x9f"
                           "e");
            }),
            "{7}\r\nGr\xc3\xbc\xc3\x9f"
            "e");
  StringStyle utf8;
  utf8.utf8_quoted = true;
  EXPECT_EQ(written([&](auto& o) {
              write_string(o,
                           "Gr\xc3\xbc\xc3\x9f"
                           "e",
                           utf8);
            }),
            "\"Gr\xc3\xbc\xc3\x9f"
            "e\"");
  EXPECT_EQ(written([&](auto& o) { write_string(o, "bad\xff", utf8); }), "{4}\r\nbad\xff");
  StringStyle short_quoted;
  short_quoted.max_quoted = 3;
  EXPECT_EQ(written([&](auto& o) { write_string(o, "abcd", short_quoted); }), "{4}\r\nabcd");
  EXPECT_EQ(written([](auto& o) { write_nstring(o, std::nullopt); }), "NIL");
  EXPECT_EQ(written([](auto& o) { write_nstring(o, std::string("NIL")); }), "\"NIL\"");
}

TEST(ResponseWriter, AstringsMailboxesFlagsDates) {
  EXPECT_EQ(written([](auto& o) { write_astring(o, "fred"); }), "fred");
  EXPECT_EQ(written([](auto& o) { write_astring(o, "nil"); }), "\"nil\"");
  EXPECT_EQ(written([](auto& o) { write_astring(o, "a b"); }), "\"a b\"");
  EXPECT_EQ(written([](auto& o) { write_astring(o, ""); }), "\"\"");
  EXPECT_EQ(written([](auto& o) { write_mailbox(o, "INBOX", false); }), "INBOX");
  EXPECT_EQ(written([](auto& o) { write_mailbox(o, "Entw\xc3\xbcrfe", false); }),
            "\"Entw&APw-rfe\"");
  EXPECT_EQ(written([](auto& o) { write_mailbox(o, "Entw\xc3\xbcrfe", true); }),
            "\"Entw\xc3\xbcrfe\"");
  EXPECT_EQ(written([](auto& o) { write_flag_list(o, {"\\Seen", "$Junk"}); }), "(\\Seen $Junk)");
  EXPECT_EQ(written([](auto& o) { write_flag_list(o, {}); }), "()");
  EXPECT_EQ(written([](auto& o) {
              write_date_time(o, DateTime{837596665, -420});
            }),
            "\"17-Jul-1996 02:44:25 -0700\"");
  EXPECT_TRUE(is_atom("\\Seen") == false);  // '\' is a quoted-special
  EXPECT_TRUE(is_atom("$Forwarded"));
}

}  // namespace
}  // namespace roost::imap
