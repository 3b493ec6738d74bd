#include "mime/date_time.h"

#include <gtest/gtest.h>

namespace roost::mime {
namespace {

TEST(DateTime, Rfc5322) {
  EXPECT_EQ(parse_date("Thu, 13 Feb 1969 23:32:54 -0330"), -27723426);  // RFC 5322 A.1.3
  EXPECT_EQ(parse_date("Fri, 21 Nov 1997 09:55:06 -0600"), 880127706);
  EXPECT_EQ(parse_date("Sat, 1 Jan 2000 00:00:00 +0000"), 946684800);
  EXPECT_EQ(parse_date("1 Jan 2000 00:00 GMT"), 946684800);
  EXPECT_EQ(parse_date("Sat, 01 Jan 2000 01:00:00 +0100 (CET)"), 946684800);
}

TEST(DateTime, ObsoleteForms) {
  EXPECT_EQ(parse_date("1 Jan 00 00:00:00 GMT"), 946684800);      // 2-digit year < 50 → 20xx
  EXPECT_EQ(parse_date("21 Nov 97 09:55:06 CST"), 880127706);     // named zone
  EXPECT_EQ(parse_date("21 Nov 097 09:55:06 -0600"), 880127706);  // 3-digit year
  EXPECT_EQ(parse_date("Fri, 21 Nov 1997 15:55:06 Z"), 880127706);
  EXPECT_EQ(parse_date("Fri, 21 Nov 1997 15:55:06"), 880127706);  // no zone: UTC
  EXPECT_EQ(parse_date("  Fri , 21 (comment) Nov 1997 15:55:06 (UTC)"), 880127706);
  EXPECT_EQ(parse_date("Fri Nov 21 15:55:06 1997"), 880127706);  // asctime order
  EXPECT_EQ(parse_date("21-Nov-1997 15:55:06 +0000"), 880127706);
  EXPECT_EQ(parse_date("Thu, 31 Dec 1998 23:59:60 +0000"), 915148799);  // leap second
}

TEST(DateTime, Invalid) {
  EXPECT_EQ(parse_date(""), std::nullopt);
  EXPECT_EQ(parse_date("yesterday"), std::nullopt);
  EXPECT_EQ(parse_date("32 Jan 2000 00:00:00"), std::nullopt);
  EXPECT_EQ(parse_date("1 Foo 2000 00:00:00"), std::nullopt);
  EXPECT_EQ(parse_date("1 Jan 2000 25:00:00"), std::nullopt);
  // Days the month does not have (found by tests/imap/imap_dovecot_diff_test.py).
  EXPECT_EQ(parse_date("Fri, 30 Feb 2024 10:00:00 +0000"), std::nullopt);
  EXPECT_EQ(parse_date("29 Feb 2023 10:00:00 +0000"), std::nullopt);
  EXPECT_EQ(parse_date("31 Apr 2024 10:00:00 +0000"), std::nullopt);
  EXPECT_TRUE(parse_date("29 Feb 2024 10:00:00 +0000"));
  EXPECT_TRUE(parse_date("29 Feb 2000 10:00:00 +0000"));
  EXPECT_EQ(parse_date("29 Feb 1900 10:00:00 +0000"), std::nullopt);
}

TEST(DateTime, DaysFromCivil) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

}  // namespace
}  // namespace roost::mime
