#include "pop3/proto/command_parser.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace roost::pop3 {

namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 16> kVerbs = {{
    {"USER", Verb::User},
    {"PASS", Verb::Pass},
    {"APOP", Verb::Apop},
    {"AUTH", Verb::Auth},
    {"STAT", Verb::Stat},
    {"LIST", Verb::List},
    {"RETR", Verb::Retr},
    {"DELE", Verb::Dele},
    {"NOOP", Verb::Noop},
    {"RSET", Verb::Rset},
    {"QUIT", Verb::Quit},
    {"TOP", Verb::Top},
    {"UIDL", Verb::Uidl},
    {"CAPA", Verb::Capa},
    {"STLS", Verb::Stls},
    {"UTF8", Verb::Utf8},
}};

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::optional<Verb> find_verb(std::string_view keyword) {
  if (keyword.size() < 3 || keyword.size() > 4) return std::nullopt;
  std::string up;
  for (char c : keyword) up += upper(c);
  for (const auto& [name, verb] : kVerbs) {
    if (name == up) return verb;
  }
  return std::nullopt;
}

Error syntax(std::string text) { return make_error(ErrorKind::Syntax, std::move(text)); }

Error too_long(size_t limit) {
  return make_error(ErrorKind::Limit,
                    "Line too long (the limit is " + std::to_string(limit) + " octets)");
}

std::vector<std::string_view> split_args(std::string_view rest) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < rest.size()) {
    size_t space = rest.find(' ', at);
    if (space == std::string_view::npos) space = rest.size();
    if (space > at) out.push_back(rest.substr(at, space - at));
    at = space + 1;
  }
  return out;
}

// Decimal 0..kMaxMessageNumber, at most `max_length` digits.
std::optional<uint32_t> parse_number(std::string_view text, size_t max_length) {
  if (text.empty() || text.size() > max_length) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > kMaxMessageNumber) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

Result<uint32_t> message_number(std::string_view text, const ParserLimits& limits) {
  auto n = parse_number(text, limits.max_argument);
  if (!n || *n == 0) return syntax("Invalid message number");
  return *n;
}

// RFC 4422 §3.1: SASL mechanism names are 1-20 of A-Z 0-9 - _.
bool valid_mechanism(std::string_view name) {
  if (name.empty() || name.size() > 20) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Result<Command> parse_args(Verb verb, std::string_view rest, const ParserLimits& limits) {
  Command command;
  command.verb = verb;
  std::string_view name = to_string(verb);
  if (verb == Verb::Pass || verb == Verb::User) {
    // RFC 1939 §7: the password is the rest of the line, spaces included.
    if (rest.empty()) {
      return syntax(std::string(name) +
                    (verb == Verb::Pass ? " needs a password" : " needs a name"));
    }
    command.text = std::string(rest);
    return command;
  }
  std::vector<std::string_view> args = split_args(rest);
  auto arity = [&](size_t min, size_t max) -> Status {
    if (args.size() >= min && args.size() <= max) return ok();
    if (max == 0) return syntax(std::string(name) + " takes no arguments");
    if (args.size() > max) return syntax("Too many arguments for " + std::string(name));
    return syntax(std::string(name) + (verb == Verb::Top
                                           ? " needs a message number and a line count"
                                       : verb == Verb::Apop ? " needs a name and a digest"
                                                            : " needs a message number"));
  };
  switch (verb) {
    case Verb::Stat:
    case Verb::Noop:
    case Verb::Rset:
    case Verb::Quit:
    case Verb::Capa:
    case Verb::Stls:
    case Verb::Utf8:
      ROOST_TRY(arity(0, 0));
      return command;
    case Verb::List:
    case Verb::Uidl:
    case Verb::Retr:
    case Verb::Dele: {
      bool optional = verb == Verb::List || verb == Verb::Uidl;
      ROOST_TRY(arity(optional ? 0 : 1, 1));
      if (!args.empty()) {
        auto n = message_number(args[0], limits);
        if (!n) return n.error();
        command.message = *n;
      }
      return command;
    }
    case Verb::Top: {
      ROOST_TRY(arity(2, 2));
      auto n = message_number(args[0], limits);
      if (!n) return n.error();
      auto lines = parse_number(args[1], limits.max_argument);
      if (!lines) return syntax("Invalid line count");
      command.message = *n;
      command.lines = *lines;
      return command;
    }
    case Verb::Apop:
      ROOST_TRY(arity(2, 2));
      if (args[0].size() > limits.max_argument || args[1].size() > limits.max_argument) {
        return syntax("APOP argument too long");
      }
      command.text = std::string(args[0]);
      command.digest = std::string(args[1]);
      return command;
    case Verb::Auth: {
      ROOST_TRY(arity(0, 2));
      if (args.empty()) return command;  // the mechanism list (RFC 1734 style)
      for (char c : args[0]) command.mechanism += upper(c);
      if (!valid_mechanism(command.mechanism)) return syntax("Invalid SASL mechanism name");
      if (args.size() == 2) command.initial_response = std::string(args[1]);
      return command;
    }
    case Verb::User:
    case Verb::Pass:
      break;
  }
  return syntax("Unknown command");
}

Result<Command> parse_line(std::string_view line, const ParserLimits& limits, std::string* verb) {
  size_t space = line.find(' ');
  std::string_view keyword = line.substr(0, space);
  if (keyword.empty()) return syntax(line.empty() ? "Empty command" : "Unknown command");
  auto found = find_verb(keyword);
  if (!found) return syntax("Unknown command");
  if (verb) *verb = std::string(to_string(*found));
  if (*found == Verb::Auth) {
    if (line.size() > limits.max_sasl_line) return too_long(limits.max_sasl_line);
  } else if (line.size() + 2 > limits.max_command_line) {
    return too_long(limits.max_command_line);
  }
  if (line.find('\0') != std::string_view::npos) return syntax("NUL byte in command");
  std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
  return parse_args(*found, rest, limits);
}

}  // namespace

std::string_view to_string(Verb verb) {
  for (const auto& [name, v] : kVerbs) {
    if (v == verb) return name;
  }
  return "?";
}

std::string_view to_string(ParseEventKind kind) {
  switch (kind) {
    case ParseEventKind::NeedMore:
      return "NeedMore";
    case ParseEventKind::Command:
      return "Command";
    case ParseEventKind::Line:
      return "Line";
    case ParseEventKind::Error:
      return "Error";
  }
  return "?";
}

Result<Command> parse_command_line(std::string_view line, const ParserLimits& limits) {
  return parse_line(line, limits, nullptr);
}

CommandParser::CommandParser(ParserLimits limits) : limits_(limits) {}

void CommandParser::feed(std::string_view bytes) {
  if (discarding_) {
    // Only the end of the over-long line matters; drop everything before its LF.
    size_t lf = bytes.find('\n');
    if (lf == std::string_view::npos) return;
    discarding_ = false;
    buffer_.append(bytes.substr(lf));  // keeps the LF so next() reports the error there
    pending_discard_end_ = true;
    return;
  }
  buffer_.append(bytes);
}

size_t CommandParser::max_raw_line() const {
  // The longest line (CR included, LF excluded) any command or SASL response may have.
  return std::max(limits_.max_command_line - 1, limits_.max_sasl_line + 1);
}

std::string CommandParser::take_buffered() {
  std::string out = buffer_.substr(pos_);
  buffer_.clear();
  pos_ = 0;
  scanned_ = 0;
  discarding_ = false;
  pending_discard_end_ = false;
  return out;
}

ParseEvent CommandParser::overflow_event() {
  ParseEvent ev;
  ev.kind = ParseEventKind::Error;
  ev.verb = overflow_verb_;
  ev.error = too_long(overflow_limit_);
  return ev;
}

ParseEvent CommandParser::next() {
  if (pending_discard_end_) {
    // buffer_ starts with the LF that ended the discarded line.
    pending_discard_end_ = false;
    pos_ = 1;
    scanned_ = 0;
    return overflow_event();
  }
  if (discarding_) return {};
  size_t lf = buffer_.find('\n', pos_ + scanned_);
  if (lf == std::string::npos) {
    scanned_ = buffer_.size() - pos_;
    if (scanned_ > max_raw_line()) {
      note_overflow(std::string_view(buffer_).substr(pos_));
      buffer_.clear();
      pos_ = 0;
      scanned_ = 0;
      discarding_ = true;
      return {};
    }
    if (pos_ > 0) {
      buffer_.erase(0, pos_);
      pos_ = 0;
    }
    return {};
  }
  std::string_view raw(buffer_.data() + pos_, lf - pos_);
  pos_ = lf + 1;
  scanned_ = 0;
  if (raw.size() > max_raw_line()) {
    note_overflow(raw);
    return overflow_event();
  }
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  return on_line(raw);
}

void CommandParser::note_overflow(std::string_view start) {
  overflow_verb_.clear();
  if (line_wanted_) {
    line_wanted_ = false;
    overflow_limit_ = limits_.max_sasl_line;
    return;
  }
  auto verb = find_verb(start.substr(0, start.find(' ')));
  if (verb) overflow_verb_ = std::string(to_string(*verb));
  overflow_limit_ = verb == Verb::Auth ? limits_.max_sasl_line : limits_.max_command_line;
}

ParseEvent CommandParser::on_line(std::string_view line) {
  ParseEvent ev;
  if (line_wanted_) {
    line_wanted_ = false;
    if (line.size() > limits_.max_sasl_line) {
      ev.kind = ParseEventKind::Error;
      ev.error = too_long(limits_.max_sasl_line);
      return ev;
    }
    ev.kind = ParseEventKind::Line;
    ev.line = std::string(line);
    return ev;
  }
  auto command = parse_line(line, limits_, &ev.verb);
  if (!command) {
    ev.kind = ParseEventKind::Error;
    ev.error = command.error();
    return ev;
  }
  ev.kind = ParseEventKind::Command;
  ev.command = std::move(*command);
  return ev;
}

}  // namespace roost::pop3
