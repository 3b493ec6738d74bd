// IMAP dates (RFC 9051 §9 "date", "date-time"): SEARCH takes "d-Mon-yyyy" dates, APPEND takes and
// FETCH INTERNALDATE returns "dd-Mon-yyyy hh:mm:ss +zzzz" date-times. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::imap {

// A calendar date without time or zone (SEARCH BEFORE/ON/SINCE compare in the server's zone).
struct Date {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
  bool operator==(const Date&) const = default;
  auto operator<=>(const Date&) const = default;
};

struct DateTime {
  int64_t unix_seconds = 0;  // the instant, UTC
  int zone_minutes = 0;      // the writer's offset from UTC, e.g. +0200 → 120
  bool operator==(const DateTime&) const = default;
};

// date-text "1-Feb-2024" or "01-Feb-2024" (no quotes; the command parser strips them).
Result<Date> parse_date(std::string_view text);
// date-time body without quotes: "dd-Mon-yyyy hh:mm:ss +zzzz", day may be " d" (SP DIGIT).
Result<DateTime> parse_date_time(std::string_view text);

// Days since 1970-01-01 of a date (for SEARCH comparisons against INTERNALDATE).
int64_t days_from_epoch(const Date& date);

// "\"05-Feb-2024 13:04:05 +0100\"" with quotes, as FETCH INTERNALDATE and SAVEDATE send it.
// We zero-pad the day (2DIGIT form of date-day-fixed) because some clients mishandle SP DIGIT.
std::string format_date_time(const DateTime& value);
// "5-Feb-2024" (no quotes).
std::string format_date(const Date& date);

}  // namespace roost::imap
