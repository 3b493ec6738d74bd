#include "mime/date_time.h"

#include <array>
#include <ctime>

namespace roost::mime {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool word_is(std::string_view word, std::string_view lower_name) {
  if (word.size() != lower_name.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (lower(word[i]) != lower_name[i]) return false;
  }
  return true;
}

// Month 1..12 from its English name (first three letters decide), 0 if not a month.
unsigned month_from_word(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (word_is(word.substr(0, 3), kMonths[i])) return i + 1;
  }
  return 0;
}

// Zone offset in minutes for a name; false when the word is not a zone we know.
bool zone_from_word(std::string_view word, int& minutes) {
  struct Zone {
    std::string_view name;
    int hours;
  };
  // RFC 5322 §4.3 obs-zone, plus a few names mailers write without a numeric zone.
  static constexpr std::array<Zone, 20> kZones = {{
      {"ut", 0},   {"gmt", 0},  {"utc", 0},  {"z", 0},    {"est", -5}, {"edt", -4}, {"cst", -6},
      {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}, {"cet", 1},  {"cest", 2},
      {"met", 1},  {"mest", 2}, {"eet", 2},  {"eest", 3}, {"bst", 1},  {"jst", 9},
  }};
  for (const auto& z : kZones) {
    if (word_is(word, z.name)) {
      minutes = z.hours * 60;
      return true;
    }
  }
  if (word.size() == 1 && is_alpha(word[0])) {  // military zones: RFC 5322 §4.3 says -0000
    minutes = 0;
    return true;
  }
  return false;
}

struct Fields {
  int64_t year = -1;
  unsigned month = 0, day = 0;
  int hour = 0, minute = 0, second = 0;
  bool have_time = false;
  int zone_minutes = 0;
  bool have_zone = false;
};

// Parses "hh:mm[:ss]" at s[i]; advances i.
bool parse_time(std::string_view s, size_t& i, Fields& f) {
  int parts[3] = {0, 0, 0};
  int count = 0;
  while (count < 3) {
    if (i >= s.size() || !is_digit(s[i])) return false;
    int v = 0, digits = 0;
    while (i < s.size() && is_digit(s[i]) && digits < 3) v = v * 10 + (s[i++] - '0'), ++digits;
    parts[count++] = v;
    if (i < s.size() && s[i] == ':') {
      ++i;
      continue;
    }
    break;
  }
  if (count < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 60) return false;
  f.hour = parts[0];
  f.minute = parts[1];
  f.second = parts[2] == 60 ? 59 : parts[2];  // leap second: RFC 5322 §3.3 allows 60
  f.have_time = true;
  return true;
}

}  // namespace

std::string format_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  // Shift the year to start in March so the leap day is last (standard civil calendar math).
  year -= month <= 2;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  int64_t yoe = year - era * 400;
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> parse_date(std::string_view s) {
  Fields f;
  size_t i = 0;
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (depth > 0 || c == '(') {  // RFC 5322 §3.2.2 comments, nested
      if (c == '(')
        ++depth;
      else if (c == ')')
        --depth;
      else if (c == '\\')
        ++i;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == '.') {
      ++i;
      continue;
    }
    if ((c == '+' || c == '-') && i + 1 < s.size() && is_digit(s[i + 1]) && f.have_time) {
      size_t j = i + 1;
      int v = 0, digits = 0;
      while (j < s.size() && is_digit(s[j]) && digits < 5) v = v * 10 + (s[j++] - '0'), ++digits;
      if (digits == 4 && v % 100 < 60 && !f.have_zone) {
        f.zone_minutes = (v / 100 * 60 + v % 100) * (c == '-' ? -1 : 1);
        f.have_zone = true;
      }
      i = j;
      continue;
    }
    if (c == '-') {  // "5-Jan-2004"
      ++i;
      continue;
    }
    if (is_digit(c)) {
      size_t j = i;
      int64_t v = 0;
      int digits = 0;
      while (j < s.size() && is_digit(s[j])) {
        if (digits < 9) v = v * 10 + (s[j] - '0');
        ++digits;
        ++j;
      }
      if (j < s.size() && s[j] == ':') {
        if (f.have_time || !parse_time(s, i, f)) return std::nullopt;
        continue;
      }
      if (f.day == 0 && digits <= 2 && f.year < 0) {
        f.day = static_cast<unsigned>(v);
      } else if (f.year < 0) {
        if (digits > 4) return std::nullopt;
        f.year = digits <= 2 ? (v < 50 ? v + 2000 : v + 1900)  // RFC 5322 §4.3
                             : (digits == 3 ? v + 1900 : v);
      } else if (f.day == 0 && digits <= 2) {
        f.day = static_cast<unsigned>(v);
      }
      i = j;
      continue;
    }
    if (is_alpha(c)) {
      size_t j = i;
      while (j < s.size() && is_alpha(s[j])) ++j;
      std::string_view word = s.substr(i, j - i);
      unsigned m = month_from_word(word);
      int zone = 0;
      if (m != 0 && f.month == 0) {
        f.month = m;
      } else if (f.have_time && !f.have_zone && zone_from_word(word, zone)) {
        f.zone_minutes = zone;
        f.have_zone = true;
      }
      i = j;  // weekday names and unknown words are ignored
      continue;
    }
    ++i;  // any other byte: skip
  }
  if (f.month == 0 || f.year < 1900 || f.year > 9999) return std::nullopt;
  // A day the month does not have ("30 Feb") is no date: RFC 5256 §2.2 then sorts by
  // INTERNALDATE, as Dovecot does.
  bool leap = f.year % 4 == 0 && (f.year % 100 != 0 || f.year % 400 == 0);
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (f.day < 1 || f.day > kDays[f.month - 1] + (f.month == 2 && leap ? 1 : 0)) return std::nullopt;
  int64_t days = days_from_civil(f.year, f.month, f.day);
  return days * 86400 + f.hour * 3600 + f.minute * 60 + f.second - f.zone_minutes * 60;
}

}  // namespace roost::mime
