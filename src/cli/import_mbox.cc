// mbox reader for `roost import mbox` (mboxo and mboxrd, LF or CRLF). Message
// boundaries are the "From " lines; Content-Length headers are not trusted.
#include <cctype>
#include <string>
#include <vector>

#include "cli/import_source.h"

namespace roost::cli {
namespace {

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::string_view kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

int month_of(std::string_view token) {
  std::string t = lower(token);
  for (int i = 0; i < 12; ++i) {
    if (t == kMonths[i]) return i + 1;
  }
  return 0;
}

bool is_weekday(std::string_view token) {
  std::string t = lower(token);
  if (!t.empty() && t.back() == ',') t.pop_back();
  for (std::string_view w : kWeekdays) {
    if (t == w) return true;
  }
  return false;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

// Strips the one line ending the mbox writer put between a message and the next "From ".
std::string_view strip_separator_line(std::string_view body) {
  if (body.ends_with("\r\n") && body.size() >= 3 && body[body.size() - 3] == '\n') {
    return body.substr(0, body.size() - 2);
  }
  if (body.ends_with("\n") && body.size() >= 2 && body[body.size() - 2] == '\n') {
    return body.substr(0, body.size() - 1);
  }
  if (body == "\n" || body == "\r\n") return {};
  return body;
}

// An mboxrd-escaped "From " line: one or more '>' followed by "From ".
bool is_escaped_from(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return i > 0 && line.substr(i).starts_with("From ");
}

}  // namespace

bool parse_from_line_date(std::string_view text, int64_t& unix_seconds, int32_t& tz_minutes) {
  std::vector<std::string_view> words = split_words(text);
  // The first word is the envelope sender unless the date follows "From " directly.
  if (!words.empty() && !is_weekday(words[0]) && month_of(words[0]) == 0) {
    words.erase(words.begin());
  }
  int year = -1, month = 0, day = -1, hour = -1, minute = -1, second = 0, zone = 0;
  for (std::string_view w : words) {
    if (w.ends_with(",")) w.remove_suffix(1);
    if (month == 0 && month_of(w) != 0) {
      month = month_of(w);
    } else if (w.find(':') != std::string_view::npos && hour < 0) {
      size_t a = w.find(':');
      size_t b = w.find(':', a + 1);
      std::string_view h = w.substr(0, a);
      std::string_view m = w.substr(a + 1, b == std::string_view::npos ? b : b - a - 1);
      std::string_view s = b == std::string_view::npos ? "0" : w.substr(b + 1);
      if (!all_digits(h) || !all_digits(m) || !all_digits(s)) return false;
      hour = to_int(h), minute = to_int(m), second = to_int(s);
    } else if ((w[0] == '+' || w[0] == '-') && w.size() == 5 && all_digits(w.substr(1))) {
      int v = to_int(w.substr(1));
      zone = (v / 100 * 60 + v % 100) * (w[0] == '-' ? -1 : 1);
    } else if (all_digits(w) && w.size() <= 2 && day < 0) {
      day = to_int(w);
    } else if (all_digits(w) && w.size() == 4 && year < 0) {
      year = to_int(w);
    }
  }
  if (year < 1970 || month == 0 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute > 59 ||
      second > 60) {
    return false;
  }
  int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  unix_seconds = days * 86400 + hour * 3600 + minute * 60 + second - zone * 60;
  tz_minutes = zone;
  return true;
}

std::string load_mbox_message(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + raw.size() / 32);
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::string_view line = raw.substr(pos, end - pos);
    if (is_escaped_from(line)) line.remove_prefix(1);  // mboxrd un-escaping
    out += line;
    pos = end;
  }
  return to_crlf(out);
}

Result<ImportPlan> scan_mbox(Env& env, const std::string& file, const std::string& mailbox) {
  auto mapped = env.map_file(file);
  if (!mapped) return mapped.error();
  ImportPlan plan;
  plan.mapping = *mapped;
  std::string_view text = plan.mapping->bytes();
  SourceFolder folder;
  folder.mailbox = mailbox;

  bool open = false, previous_blank = true;
  size_t body_start = 0;
  SourceMessage current;
  auto close = [&](size_t end) {
    std::string_view body = strip_separator_line(text.substr(body_start, end - body_start));
    if (body.empty()) {
      folder.problems.push_back(current.where + ": empty message skipped");
    } else {
      current.raw = body;
      current.size = body.size();
      folder.messages.push_back(std::move(current));
    }
    current = SourceMessage{};
  };

  size_t pos = 0, line_number = 0;
  while (pos < text.size()) {
    ++line_number;
    size_t nl = text.find('\n', pos);
    size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.starts_with("From ")) {
      int64_t date = 0;
      int32_t tz = 0;
      bool dated = parse_from_line_date(line.substr(5), date, tz);
      // Unescaped (mboxo) body lines may start with "From ": after text, they need a date.
      if (previous_blank || dated || !open) {
        if (open) close(pos);
        open = true;
        body_start = next;
        current.where = file + ":" + std::to_string(line_number);
        if (dated) current.internal_date = date;
        current.internal_date_tz = tz;
        if (!dated) folder.problems.push_back(current.where + ": no date in the From line");
        previous_blank = false;
        pos = next;
        continue;
      }
    }
    if (!open && !line.empty()) {
      return make_error(ErrorKind::Syntax, "not an mbox file: it does not start with a From line",
                        file);
    }
    previous_blank = line.empty();
    pos = next;
  }
  if (open) close(text.size());
  plan.folders.push_back(std::move(folder));
  return plan;
}

}  // namespace roost::cli
