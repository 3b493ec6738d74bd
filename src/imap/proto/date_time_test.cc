#include "imap/proto/date_time.h"

#include <gtest/gtest.h>

#include "imap/proto/sasl_response.h"

namespace roost::imap {
namespace {

TEST(DateTime, ParsesDates) {
  EXPECT_EQ(*parse_date("1-Feb-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(*parse_date("29-feb-2024"), (Date{2024, 2, 29}));
  for (const char* bad : {"29-Feb-2023", "1-Foo-2000", "001-Jan-2000", "1-Jan-99", "", "1--2000"}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
  EXPECT_EQ(days_from_epoch(Date{1970, 1, 2}), 1);
}

TEST(DateTime, ParsesAndFormatsDateTimes) {
  auto dt = parse_date_time("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(dt);
  EXPECT_EQ(dt->unix_seconds, 837596665);
  EXPECT_EQ(dt->zone_minutes, -420);
  EXPECT_EQ(format_date_time(*dt), "\"17-Jul-1996 02:44:25 -0700\"");
  auto sp = parse_date_time(" 7-Feb-1994 21:52:25 +0130");
  ASSERT_TRUE(sp);
  EXPECT_EQ(format_date_time(*sp), "\"07-Feb-1994 21:52:25 +0130\"");
  EXPECT_EQ(format_date_time(DateTime{0, 0}), "\"01-Jan-1970 00:00:00 +0000\"");
  EXPECT_EQ(format_date_time(DateTime{-1, 0}), "\"31-Dec-1969 23:59:59 +0000\"");
  for (const char* bad : {"17-Jul-1996 24:00:00 +0000", "17-Jul-1996 02:44:25 0700",
                          "17-Jul-1996 02:44 -0700", "32-Jul-1996 02:44:25 -0700"}) {
    EXPECT_FALSE(parse_date_time(bad)) << bad;
  }
  EXPECT_EQ(format_date(Date{2024, 3, 5}), "5-Mar-2024");
}

TEST(SaslResponse, DecodesBase64AndCancel) {
  EXPECT_TRUE(parse_sasl_response("*")->cancelled);
  EXPECT_EQ(parse_sasl_response("")->data, "");
  EXPECT_EQ(parse_sasl_response("Zm9vYmE=")->data, "fooba");
  EXPECT_EQ(parse_sasl_response("Zm9vYg==")->data, "foob");
  EXPECT_FALSE(parse_sasl_response("Zm9vYh=="));  // non-zero pad bits
  EXPECT_FALSE(parse_sasl_response("Zm9"));
  EXPECT_FALSE(parse_sasl_response("Zm=v"));
  EXPECT_TRUE(is_idle_done("done"));
  EXPECT_FALSE(is_idle_done("DONE "));
}

}  // namespace
}  // namespace roost::imap
