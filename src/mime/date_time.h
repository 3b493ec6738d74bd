// Date header parsing (RFC 5322 §3.3 date-time, §4.3 obsolete forms) for SORT DATE,
// SEARCH SENTBEFORE/ON/SINCE and JMAP sentAt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roost::mime {

// "Mon, 5 Jan 2004 12:34:56 +0100 (CET)" and relatives: optional weekday, 2- and 3-digit
// years, missing seconds, comments, named and military zones, asctime order
// ("Mon Jan  5 12:34:56 2004"). Returns UTC seconds since 1970, nullopt if unparseable.
std::optional<int64_t> parse_date(std::string_view value);

// "Tue, 24 Nov 2026 09:10:00 +0000": a date-time (RFC 5322 §3.3) in UTC, for the Date:
// fields and trace lines the server writes itself.
std::string format_date(int64_t unix_seconds);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace roost::mime
