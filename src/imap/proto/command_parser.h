// CommandParser: the pure, push-style, bounded IMAP command parser (STYLE.md convention 1).
// feed() appends bytes from the client; next() yields one event at a time:
//   NeedMore         feed more bytes (call feed() only after this, which bounds the buffer);
//   NeedContinuation a synchronizing literal {n} was announced: send "+ ..." before the client
//                    sends its bytes (RFC 9051 §4.3, §7.5);
//   LiteralStart     an APPEND message literal (RFC 9051 §6.3.12, RFC 3502, RFC 3516, RFC 6855):
//                    `message` tells flags/date/size; when `synchronizing`, send "+ ..." or call
//                    reject_literal() (e.g. NO [TRYCREATE] / [TOOBIG]); then LiteralChunk events
//                    carry the bytes in pieces of at most max_chunk, then LiteralEnd;
//   Command          a complete command (APPEND: after its last message literal);
//   Line             after expect_line(): one raw line (SASL response, IDLE's DONE);
//   Error            tag (empty when unknown) and an Error: Syntax and Limit answer
//                    "tag BAD text"; TooBig answers "tag BAD [TOOBIG] text" (or NO for APPEND,
//                    RFC 7889 §4). Literals over a limit are never buffered: a synchronizing one
//                    is refused at once, a non-synchronizing one is skipped and then reported.
// After an error the parser resynchronizes at the start of the next command line.
// Not thread-safe: one parser per connection. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/proto/command.h"
#include "imap/proto/parser_limits.h"

namespace roost::imap {

enum class ParseEventKind {
  NeedMore,
  NeedContinuation,
  LiteralStart,
  LiteralChunk,
  LiteralEnd,
  Command,
  Line,
  Error,
};
std::string_view to_string(ParseEventKind kind);

struct ParseEvent {
  ParseEventKind kind = ParseEventKind::NeedMore;
  std::string tag;             // NeedContinuation, LiteralStart, Command, Error
  uint64_t literal_size = 0;   // NeedContinuation, LiteralStart
  bool synchronizing = false;  // LiteralStart: the client waits for "+" before sending
  std::string mailbox;         // LiteralStart: the APPEND target (decoded)
  AppendMessage message;       // LiteralStart: this message's flags, date and form
  std::string_view data;       // LiteralChunk, Line: valid until the next feed() or next()
  std::optional<Command> command;
  std::optional<Error> error;
};

class CommandParser {
 public:
  explicit CommandParser(ParserLimits limits = {});

  void feed(std::string_view bytes);
  ParseEvent next();

  // Mailbox names are UTF-8 once the client enabled UTF8=ACCEPT or IMAP4rev2 (RFC 6855 §3,
  // RFC 9051 §5.1); before that they are modified UTF-7 and decoded here.
  void set_utf8_names(bool on) { utf8_names_ = on; }
  bool utf8_names() const { return utf8_names_; }

  // After LiteralStart or NeedContinuation, refuse the literal: a synchronizing one is never sent
  // (the command ends here); a non-synchronizing one is skipped. No Error event follows: the
  // session sends its own tagged answer.
  void reject_literal();

  // The next line is handed out as a Line event instead of being parsed (AUTHENTICATE exchanges,
  // RFC 9051 §6.2.2; IDLE's DONE, RFC 2177). Only between commands.
  void expect_line() { line_wanted_ = true; }

  // Bytes received but not yet parsed: STARTTLS discards them (RFC 9051 §6.2.1), COMPRESS hands
  // them to the inflater (RFC 4978 §3). Only meaningful between commands.
  bool has_buffered() const { return pos_ < buffer_.size(); }
  std::string take_buffered();

  const ParserLimits& limits() const { return limits_; }

 private:
  enum class Mode { Line, Literal, AppendLiteral, Skip, Discard };
  struct LiteralMark {
    size_t start = 0;  // offset of '{' (or '~') in the line
    uint64_t size = 0;
    bool non_sync = false;
    bool binary = false;
  };

  static std::optional<LiteralMark> literal_at_end(std::string_view line);
  // nullopt: keep going inside next() (a non-synchronizing literal needs no round trip).
  std::optional<ParseEvent> on_line(std::string_view line);
  std::optional<ParseEvent> on_literal(const LiteralMark& mark, size_t line_start);
  std::optional<ParseEvent> fail_after_literal(Error error, const LiteralMark& mark);
  ParseEvent finish_command();
  ParseEvent fail(Error error);
  Result<std::optional<AppendMessage>> append_step(size_t literal_pos, const LiteralMark& mark);
  Result<Command> append_finish();
  void reset_command();

  ParserLimits limits_;
  bool utf8_names_ = false;
  bool line_wanted_ = false;

  std::string buffer_;
  size_t pos_ = 0;
  size_t scanned_ = 0;  // bytes after pos_ already known to hold no LF

  Mode mode_ = Mode::Line;
  uint64_t remaining_ = 0;  // bytes left in the current literal
  bool literal_non_sync_ = false;
  std::string discard_tail_;      // the last bytes of a discarded line (for a trailing {n+})
  std::optional<Error> pending_;  // reported once a skipped literal and its line are gone
  std::string pending_tag_;

  std::string command_;  // the command so far: lines joined by CRLF, literals inline
  std::string tag_;
  bool is_append_ = false;
  bool append_has_mailbox_ = false;
  bool append_open_utf8_ = false;  // inside "UTF8 (" awaiting ")"
  size_t append_pos_ = 0;          // where the next APPEND message starts in command_
  AppendArgs append_;
};

}  // namespace roost::imap
