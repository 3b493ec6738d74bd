#include "imap/proto/date_time.h"

#include <chrono>
#include <cstdio>

namespace roost::imap {
namespace {

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

Error bad(std::string_view what) {
  return make_error(ErrorKind::Syntax, "invalid " + std::string(what));
}

bool digits(std::string_view text, size_t count, int& value) {
  if (text.size() != count) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

unsigned month_from_name(std::string_view name) {
  if (name.size() != 3) return 0;
  for (unsigned m = 0; m < 12; ++m) {
    bool same = true;
    for (size_t k = 0; k < 3; ++k) {
      char a = static_cast<char>(name[k] | 0x20), b = static_cast<char>(kMonths[m][k] | 0x20);
      if (a != b) same = false;
    }
    if (same) return m + 1;
  }
  return 0;
}

bool valid_calendar(const Date& d) {
  using namespace std::chrono;
  return year_month_day{year{d.year}, month{d.month}, day{d.day}}.ok();
}

}  // namespace

Result<Date> parse_date(std::string_view text) {
  size_t dash1 = text.find('-');
  if (dash1 == std::string_view::npos) return bad("date");
  size_t dash2 = text.find('-', dash1 + 1);
  if (dash2 == std::string_view::npos) return bad("date");
  std::string_view day = text.substr(0, dash1);
  std::string_view mon = text.substr(dash1 + 1, dash2 - dash1 - 1);
  std::string_view yr = text.substr(dash2 + 1);
  int d = 0, y = 0;
  if (!digits(day, day.size() == 1 ? 1 : 2, d) || !digits(yr, 4, y)) return bad("date");
  Date date{y, month_from_name(mon), static_cast<unsigned>(d)};
  if (date.month == 0 || !valid_calendar(date)) return bad("date");
  return date;
}

Result<DateTime> parse_date_time(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz" is exactly 26 octets (RFC 9051 §9 date-time).
  if (text.size() != 26 || text[2] != '-' || text[6] != '-' || text[11] != ' ' || text[14] != ':' ||
      text[17] != ':' || text[20] != ' ') {
    return bad("date-time");
  }
  int d = 0, y = 0, hh = 0, mm = 0, ss = 0, zone = 0;
  std::string_view day = text.substr(0, 2);
  if (day[0] == ' ') day.remove_prefix(1);
  if (!digits(day, day.size(), d) || !digits(text.substr(7, 4), 4, y) ||
      !digits(text.substr(12, 2), 2, hh) || !digits(text.substr(15, 2), 2, mm) ||
      !digits(text.substr(18, 2), 2, ss) || !digits(text.substr(22, 4), 4, zone)) {
    return bad("date-time");
  }
  char sign = text[21];
  if ((sign != '+' && sign != '-') || hh > 23 || mm > 59 || ss > 60 || zone % 100 > 59) {
    return bad("date-time");
  }
  Date date{y, month_from_name(text.substr(3, 3)), static_cast<unsigned>(d)};
  if (date.month == 0 || !valid_calendar(date)) return bad("date-time");
  int zone_minutes = (zone / 100) * 60 + zone % 100;
  if (sign == '-') zone_minutes = -zone_minutes;
  int64_t local = days_from_epoch(date) * 86400 + hh * 3600 + mm * 60 + ss;
  return DateTime{local - zone_minutes * 60, zone_minutes};
}

int64_t days_from_epoch(const Date& date) {
  using namespace std::chrono;
  sys_days days{year_month_day{year{date.year}, month{date.month}, day{date.day}}};
  return days.time_since_epoch().count();
}

std::string format_date_time(const DateTime& value) {
  using namespace std::chrono;
  int64_t local = value.unix_seconds + int64_t{value.zone_minutes} * 60;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t secs = local - days * 86400;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  int zone = value.zone_minutes < 0 ? -value.zone_minutes : value.zone_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"%02u-%s-%04d %02d:%02d:%02d %c%02d%02d\"",
                static_cast<unsigned>(ymd.day()),
                std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]).c_str(),
                static_cast<int>(ymd.year()), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                value.zone_minutes < 0 ? '-' : '+', zone / 60 % 100, zone % 60);
  return buf;
}

std::string format_date(const Date& date) {
  return std::to_string(date.day) + "-" + std::string(kMonths[(date.month - 1) % 12]) + "-" +
         std::to_string(date.year);
}

}  // namespace roost::imap
