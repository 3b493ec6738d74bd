// CommandParser: the pure, push-style, bounded SMTP/LMTP command parser (STYLE.md convention 1).
// feed() appends bytes from the client; next() yields one event at a time:
//   NeedMore  feed more bytes (call feed() only after this, which bounds the buffer);
//   Command   a complete, validated command (see command.h);
//   Line      after expect_line(): one raw line (a SASL response, RFC 4954 §4), CRLF removed;
//   Data      after begin_data() or begin_chunk(): message bytes in `data` (valid until the next
//             call), DATA dot-unstuffed (data_decoder.h), BDAT chunks as sent (RFC 3030 §2);
//   DataEnd   the DATA terminator was read, or the BDAT chunk is complete;
//   Error     the line could not be used: `code`/`enhanced`/`error.text` are the reply (RFC 5321
//             §4.2.4: 500 unknown command or line too long, 501 bad arguments, 504 unsupported
//             parameter value, 555 unknown MAIL/RCPT parameter; RFC 3463 codes); `verb` names the
//             command when known.
// Command lines end in CRLF or a bare LF. Verbs are case-insensitive. An over-long line is
// skipped up to its LF without being buffered, then reported. Not thread-safe. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "smtp/proto/command.h"
#include "smtp/proto/data_decoder.h"
#include "smtp/proto/parser_limits.h"

namespace roost::smtp {

enum class ParseEventKind { NeedMore, Command, Line, Data, DataEnd, Error };
std::string_view to_string(ParseEventKind kind);

struct ParseEvent {
  ParseEventKind kind = ParseEventKind::NeedMore;
  std::optional<Command> command;  // Command
  std::string line;                // Line
  std::string_view data;           // Data
  std::optional<Error> error;      // Error
  int code = 0;                    // Error: the SMTP reply code
  std::string enhanced;            // Error: the RFC 3463 code ("5.5.2")
  std::string verb;                // Error: the upper-cased command name when it is one we know
};

class CommandParser {
 public:
  explicit CommandParser(ParserLimits limits = {});

  void feed(std::string_view bytes);
  ParseEvent next();

  // The next line is handed out as a Line event (SASL exchanges); up to max_sasl_line.
  void expect_line() { mode_ = Mode::Line; }
  // The bytes after DATA's 354 are the message, up to the terminator.
  void begin_data();
  // The next `size` bytes are a BDAT chunk (RFC 3030 §2); DataEnd follows them (at once for 0).
  void begin_chunk(uint64_t size);

  // Bytes received but not yet parsed: STARTTLS discards them (RFC 3207 §4.2).
  bool has_buffered() const { return pos_ < buffer_.size(); }
  std::string take_buffered();

  const ParserLimits& limits() const { return limits_; }

 private:
  enum class Mode { Command, Line, Data, Chunk };
  ParseEvent on_line(std::string_view line);
  ParseEvent next_data();
  ParseEvent next_chunk();
  size_t max_raw_line() const;
  void note_overflow(std::string_view line_start);
  ParseEvent overflow_event();
  void compact();

  ParserLimits limits_;
  Mode mode_ = Mode::Command;
  std::string buffer_;
  size_t pos_ = 0;
  size_t scanned_ = 0;         // bytes after pos_ known to hold no LF
  bool discarding_ = false;    // inside an over-long line: feed() drops bytes up to its LF
  bool pending_discard_end_ = false;
  std::string overflow_verb_;
  size_t overflow_limit_ = 0;
  DataDecoder decoder_;
  std::string decoded_;      // the last Data event's bytes
  uint64_t chunk_left_ = 0;  // Chunk: bytes of the BDAT chunk still to come
};

// The command in one line (CRLF removed); exposed for tests and the fuzzer. The error event has
// kind Error with code, enhanced and text.
ParseEvent parse_command_line(std::string_view line, const ParserLimits& limits);

}  // namespace roost::smtp
