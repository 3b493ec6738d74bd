#include "imap/proto/command_parser.h"

#include <algorithm>

#include "imap/proto/command_grammar.h"
#include "imap/proto/syntax_reader.h"

namespace roost::imap {
namespace {

constexpr size_t kTailKeep = 32;  // enough for "~{9223372036854775807+}"

std::string leading_tag(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && is_atom_char(line[n]) && line[n] != '+') ++n;
  if (n < line.size() && line[n] != ' ') return {};
  return std::string(line.substr(0, n));
}

ParseEvent event(ParseEventKind kind) {
  ParseEvent e;
  e.kind = kind;
  return e;
}

}  // namespace

std::string_view to_string(ParseEventKind kind) {
  switch (kind) {
    case ParseEventKind::NeedMore:
      return "need_more";
    case ParseEventKind::NeedContinuation:
      return "need_continuation";
    case ParseEventKind::LiteralStart:
      return "literal_start";
    case ParseEventKind::LiteralChunk:
      return "literal_chunk";
    case ParseEventKind::LiteralEnd:
      return "literal_end";
    case ParseEventKind::Command:
      return "command";
    case ParseEventKind::Line:
      return "line";
    case ParseEventKind::Error:
      return "error";
  }
  return "unknown";
}

CommandParser::CommandParser(ParserLimits limits) : limits_(limits) {
  limits_.max_chunk = std::max<size_t>(limits_.max_chunk, 1);  // zero could never progress
}

void CommandParser::feed(std::string_view bytes) {
  if (pos_ > 0) {  // views handed out by next() end here, so consumed bytes can go
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

std::string CommandParser::take_buffered() {
  std::string rest = buffer_.substr(pos_);
  buffer_.clear();
  pos_ = scanned_ = 0;
  return rest;
}

void CommandParser::reject_literal() {
  if (mode_ != Mode::Literal && mode_ != Mode::AppendLiteral) return;
  reset_command();
  // RFC 7888 §4: a non-synchronizing literal is on its way anyway and must be read past.
  mode_ = literal_non_sync_ ? Mode::Skip : Mode::Line;
  if (!literal_non_sync_) remaining_ = 0;
}

void CommandParser::reset_command() {
  command_.clear();
  tag_.clear();
  is_append_ = append_has_mailbox_ = append_open_utf8_ = false;
  append_pos_ = 0;
  append_ = {};
}

ParseEvent CommandParser::fail(Error error) {
  ParseEvent e = event(ParseEventKind::Error);
  e.tag = tag_;
  e.error = std::move(error);
  reset_command();
  return e;
}

std::optional<ParseEvent> CommandParser::fail_after_literal(Error error, const LiteralMark& mark) {
  if (!mark.non_sync) return fail(std::move(error));  // the client waits for "+"; it never comes
  pending_ = std::move(error);
  pending_tag_ = tag_;
  reset_command();
  mode_ = Mode::Skip;
  remaining_ = mark.size;
  return std::nullopt;
}

std::optional<CommandParser::LiteralMark> CommandParser::literal_at_end(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  LiteralMark mark;
  if (!inner.empty() && inner.back() == '+') {
    mark.non_sync = true;
    inner.remove_suffix(1);
  }
  if (inner.empty() || inner.size() > 20) return std::nullopt;
  for (char c : inner) {
    if (c < '0' || c > '9') return std::nullopt;
    // Saturate: anything past 2^63 is over every limit anyway.
    mark.size = mark.size > (UINT64_MAX - 9) / 10 ? UINT64_MAX : mark.size * 10 + (c - '0');
  }
  mark.start = open;
  if (open > 0 && line[open - 1] == '~') {  // RFC 3516 §4.1 literal8
    mark.binary = true;
    mark.start = open - 1;
  }
  return mark;
}

ParseEvent CommandParser::next() {
  while (true) {
    size_t avail = buffer_.size() - pos_;
    switch (mode_) {
      case Mode::AppendLiteral: {
        if (remaining_ == 0) {
          mode_ = Mode::Line;
          return event(ParseEventKind::LiteralEnd);
        }
        if (avail == 0) return event(ParseEventKind::NeedMore);
        size_t n = static_cast<size_t>(std::min<uint64_t>({avail, remaining_, limits_.max_chunk}));
        ParseEvent e = event(ParseEventKind::LiteralChunk);
        e.data = std::string_view(buffer_).substr(pos_, n);
        pos_ += n;
        remaining_ -= n;
        return e;
      }
      case Mode::Literal:
      case Mode::Skip: {
        if (remaining_ == 0) {
          mode_ = mode_ == Mode::Literal ? Mode::Line : Mode::Discard;
          continue;
        }
        if (avail == 0) return event(ParseEventKind::NeedMore);
        size_t n = static_cast<size_t>(std::min<uint64_t>(avail, remaining_));
        if (mode_ == Mode::Literal) command_.append(buffer_, pos_, n);
        pos_ += n;
        remaining_ -= n;
        continue;
      }
      case Mode::Discard: {
        size_t lf = buffer_.find('\n', pos_);
        if (lf == std::string::npos) {
          discard_tail_.append(buffer_, pos_, avail);
          if (discard_tail_.size() > kTailKeep)
            discard_tail_.erase(0, discard_tail_.size() - kTailKeep);
          pos_ = buffer_.size();
          return event(ParseEventKind::NeedMore);
        }
        discard_tail_.append(buffer_, pos_, lf - pos_);
        pos_ = lf + 1;
        if (!discard_tail_.empty() && discard_tail_.back() == '\r') discard_tail_.pop_back();
        auto mark = literal_at_end(discard_tail_);
        discard_tail_.clear();
        if (mark && mark->non_sync) {  // the rest of the command keeps coming; read past it
          mode_ = Mode::Skip;
          remaining_ = mark->size;
          continue;
        }
        mode_ = Mode::Line;
        if (pending_) {
          ParseEvent e = event(ParseEventKind::Error);
          e.tag = std::move(pending_tag_);
          e.error = std::move(pending_);
          pending_.reset();
          return e;
        }
        continue;
      }
      case Mode::Line: {
        size_t lf = buffer_.find('\n', pos_ + scanned_);
        if (lf == std::string::npos) {
          scanned_ = avail;
          if (avail <= limits_.max_line_length + 1) return event(ParseEventKind::NeedMore);
          // Too long: report now (the end may never come) and drop the rest of the line.
          if (tag_.empty()) tag_ = leading_tag(std::string_view(buffer_).substr(pos_));
          discard_tail_.clear();
          pos_ = buffer_.size();
          scanned_ = 0;
          mode_ = Mode::Discard;
          line_wanted_ = false;
          return fail(make_error(ErrorKind::Limit, "Command line too long"));
        }
        size_t end = lf;
        if (end > pos_ && buffer_[end - 1] == '\r') --end;
        std::string_view line = std::string_view(buffer_).substr(pos_, end - pos_);
        pos_ = lf + 1;
        scanned_ = 0;
        if (line.size() > limits_.max_line_length) {
          if (tag_.empty()) tag_ = leading_tag(line);
          auto mark = literal_at_end(line);
          if (mark && mark->non_sync) {
            mode_ = Mode::Skip;
            remaining_ = mark->size;
          }
          line_wanted_ = false;
          ParseEvent e = fail(make_error(ErrorKind::Limit, "Command line too long"));
          return e;
        }
        if (line_wanted_) {
          line_wanted_ = false;
          ParseEvent e = event(ParseEventKind::Line);
          e.data = line;
          return e;
        }
        if (command_.empty() && line.empty()) continue;  // tolerate blank lines between commands
        if (auto e = on_line(line)) return std::move(*e);
        continue;  // a non-synchronizing literal follows without a client round trip
      }
    }
  }
}

std::optional<ParseEvent> CommandParser::on_line(std::string_view line) {
  size_t line_start = command_.size();
  if (line_start == 0) {
    tag_ = leading_tag(line);
    SyntaxReader r(line, limits_, utf8_names_);
    is_append_ = r.tag() && r.consume(' ') && r.consume_word("APPEND");
  }
  auto mark = literal_at_end(line);
  if (command_.size() + line.size() > limits_.max_command_size) {
    Error e = make_error(ErrorKind::Limit, "Command too long");
    if (mark) return fail_after_literal(std::move(e), *mark);
    return fail(std::move(e));
  }
  command_.append(line);
  if (!mark) return finish_command();
  // Never invite literal bytes for a line that cannot be a command.
  if (tag_.empty()) return fail_after_literal(make_error(ErrorKind::Syntax, "Invalid tag"), *mark);
  return on_literal(*mark, line_start);
}

std::optional<ParseEvent> CommandParser::on_literal(const LiteralMark& mark, size_t line_start) {
  literal_non_sync_ = mark.non_sync;
  std::optional<AppendMessage> message;
  if (is_append_) {
    auto step = append_step(line_start + mark.start, mark);
    if (!step) return fail_after_literal(std::move(step).error(), mark);
    message = std::move(*step);
  }
  if (mark.binary && !message) {
    return fail_after_literal(make_error(ErrorKind::Syntax, "literal8 is only valid in APPEND"),
                              mark);
  }
  uint64_t limit = message ? limits_.max_append_size : limits_.max_literal_size;
  if (!message) limit = std::min<uint64_t>(limit, limits_.max_command_size - command_.size());
  if (mark.size > limit) {
    return fail_after_literal(make_error(ErrorKind::TooBig, "Literal too big"), mark);
  }
  // RFC 7888 §4 (LITERAL-): a larger non-synchronizing literal is read past, then the command
  // gets BAD [TOOBIG]; the client may resend it with a synchronizing literal.
  if (mark.non_sync && mark.size > limits_.max_nonsync_literal_size) {
    return fail_after_literal(
        make_error(ErrorKind::TooBig, "Non-synchronizing literals are limited to " +
                                          std::to_string(limits_.max_nonsync_literal_size) +
                                          " octets (LITERAL-); use a synchronizing literal"),
        mark);
  }
  command_ += "\r\n";
  remaining_ = mark.size;
  if (message) {
    append_pos_ = command_.size();
    append_open_utf8_ = message->utf8;
    append_.messages.push_back(*message);
    mode_ = Mode::AppendLiteral;
    ParseEvent e = event(ParseEventKind::LiteralStart);
    e.tag = tag_;
    e.literal_size = mark.size;
    e.synchronizing = !mark.non_sync;
    e.mailbox = append_.mailbox;
    e.message = std::move(*message);
    return e;
  }
  mode_ = Mode::Literal;
  if (mark.non_sync) return std::nullopt;
  ParseEvent e = event(ParseEventKind::NeedContinuation);
  e.tag = tag_;
  e.literal_size = mark.size;
  return e;
}

ParseEvent CommandParser::finish_command() {
  Result<Command> cmd =
      is_append_ ? append_finish() : grammar::parse_command(command_, limits_, utf8_names_, &tag_);
  if (!cmd) return fail(std::move(cmd).error());
  ParseEvent e = event(ParseEventKind::Command);
  e.tag = cmd->tag;
  e.command = std::move(*cmd);
  reset_command();
  return e;
}

// RFC 9051 §6.3.12 / RFC 3502 §6.3.11: APPEND mailbox 1*(SP [flag-list SP] [date-time SP]
// (literal / literal8 / "UTF8" SP "(" literal8 ")")). Called when a line ends in a literal;
// decides whether it is the mailbox name or a message, and parses that message's options.
Result<std::optional<AppendMessage>> CommandParser::append_step(size_t literal_pos,
                                                                const LiteralMark& mark) {
  SyntaxReader r(command_, limits_, utf8_names_);
  if (!append_has_mailbox_) {
    ROOST_TRY(r.tag());
    ROOST_TRY(r.sp());
    r.consume_word("APPEND");
    ROOST_TRY(r.sp());
    if (r.pos() == literal_pos && !mark.binary) return std::optional<AppendMessage>();
    auto mailbox = r.mailbox();
    if (!mailbox) return mailbox.error();
    append_.mailbox = std::move(*mailbox);
    append_has_mailbox_ = true;
    append_pos_ = r.pos();
  }
  r.set_pos(append_pos_);
  if (append_open_utf8_) ROOST_TRY(r.expect(')'));
  ROOST_TRY(r.sp());
  AppendMessage message;
  if (r.peek() == '(') {
    auto flags = r.flag_list();
    if (!flags) return flags.error();
    message.flags = std::move(*flags);
    ROOST_TRY(r.sp());
  }
  if (r.peek() == '"') {
    auto text = r.string();
    if (!text) return text.error();
    auto date = parse_date_time(*text);
    if (!date) return r.error("Invalid date-time");
    message.internal_date = *date;
    ROOST_TRY(r.sp());
  }
  if (r.consume_word("UTF8")) {  // RFC 6855 §4
    ROOST_TRY(r.sp());
    ROOST_TRY(r.expect('('));
    if (!mark.binary) return r.error("UTF8 APPEND needs a literal8");
    message.utf8 = true;
  }
  if (r.pos() != literal_pos) return r.error("Invalid APPEND arguments");
  message.binary = mark.binary;
  message.size = mark.size;
  return std::optional<AppendMessage>(std::move(message));
}

Result<Command> CommandParser::append_finish() {
  SyntaxReader r(command_, limits_, utf8_names_);
  if (!append_has_mailbox_) {  // no message literal at all; find the first problem
    ROOST_TRY(r.tag());
    ROOST_TRY(r.sp());
    r.consume_word("APPEND");
    ROOST_TRY(r.sp());
    ROOST_TRY(r.mailbox());
    return r.error("Missing message literal");
  }
  r.set_pos(append_pos_);
  if (append_open_utf8_) ROOST_TRY(r.expect(')'));
  ROOST_TRY(r.end());
  return Command{tag_, CommandName::Append, false, std::move(append_)};
}

}  // namespace roost::imap
