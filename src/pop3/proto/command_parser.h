// CommandParser: the pure, push-style, bounded POP3 command parser (STYLE.md convention 1).
// feed() appends bytes from the client; next() yields one event at a time:
//   NeedMore  feed more bytes (call feed() only after this, which bounds the buffer);
//   Command   a complete, validated command (RFC 1939 §9 and extensions, see command.h);
//   Line      after expect_line(): one raw line (a SASL response, RFC 5034 §4), CRLF removed;
//   Error     the line could not be used: `error` says why in text fit for "-ERR <text>"
//             (Syntax, or Limit for an over-long line); `verb` names the command when known.
// Lines end in CRLF or a bare LF. Command names are case-insensitive; arguments are separated
// by spaces, except that PASS takes the rest of the line (RFC 1939 §7: spaces are part of the
// password). An over-long line is skipped up to its LF without being buffered, then reported.
// Not thread-safe: one parser per connection. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "pop3/proto/command.h"
#include "pop3/proto/parser_limits.h"

namespace roost::pop3 {

enum class ParseEventKind { NeedMore, Command, Line, Error };
std::string_view to_string(ParseEventKind kind);

struct ParseEvent {
  ParseEventKind kind = ParseEventKind::NeedMore;
  std::optional<Command> command;  // Command
  std::string line;                // Line
  std::optional<Error> error;      // Error
  std::string verb;                // Error: the upper-cased command name when it is one we know
};

class CommandParser {
 public:
  explicit CommandParser(ParserLimits limits = {});

  void feed(std::string_view bytes);
  ParseEvent next();

  // The next line is handed out as a Line event instead of being parsed (SASL exchanges).
  // Lines up to max_sasl_line; a longer one gives an Error (Limit).
  void expect_line() { line_wanted_ = true; }

  // Bytes received but not yet parsed: STLS discards them (RFC 2595 §4).
  bool has_buffered() const { return pos_ < buffer_.size(); }
  std::string take_buffered();

  const ParserLimits& limits() const { return limits_; }

 private:
  ParseEvent on_line(std::string_view line);
  size_t max_raw_line() const;  // longest line (CR included, LF excluded) ever kept
  void note_overflow(std::string_view line_start);
  ParseEvent overflow_event();

  ParserLimits limits_;
  bool line_wanted_ = false;
  std::string buffer_;
  size_t pos_ = 0;
  size_t scanned_ = 0;                // bytes after pos_ known to hold no LF
  bool discarding_ = false;           // inside an over-long line: feed() drops bytes up to its LF
  bool pending_discard_end_ = false;  // that LF arrived: next() reports the error
  std::string overflow_verb_;         // what the over-long line was (for the Error event)
  size_t overflow_limit_ = 0;
};

// The command in one line (CRLF removed); exposed for tests and the fuzzer.
Result<Command> parse_command_line(std::string_view line, const ParserLimits& limits);

}  // namespace roost::pop3
