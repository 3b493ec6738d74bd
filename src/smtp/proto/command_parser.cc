#include "smtp/proto/command_parser.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/xtext.h"

namespace roost::smtp {

namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 15> kVerbs = {{
    {"HELO", Verb::Helo},
    {"EHLO", Verb::Ehlo},
    {"LHLO", Verb::Lhlo},
    {"MAIL", Verb::Mail},
    {"RCPT", Verb::Rcpt},
    {"DATA", Verb::Data},
    {"BDAT", Verb::Bdat},
    {"RSET", Verb::Rset},
    {"NOOP", Verb::Noop},
    {"QUIT", Verb::Quit},
    {"VRFY", Verb::Vrfy},
    {"EXPN", Verb::Expn},
    {"HELP", Verb::Help},
    {"STARTTLS", Verb::Starttls},
    {"AUTH", Verb::Auth},
}};

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out += upper(c);
  return out;
}

std::optional<Verb> find_verb(std::string_view keyword) {
  if (keyword.size() < 4 || keyword.size() > 8) return std::nullopt;
  std::string up = upper(keyword);
  for (const auto& [name, verb] : kVerbs) {
    if (name == up) return verb;
  }
  return std::nullopt;
}

ParseEvent error(int code, std::string enhanced, std::string text, std::string verb = {}) {
  ParseEvent ev;
  ev.kind = ParseEventKind::Error;
  ev.code = code;
  ev.enhanced = std::move(enhanced);
  ev.error = make_error(code == 500 && text.starts_with("Line") ? ErrorKind::Limit
                                                                  : ErrorKind::Syntax,
                        std::move(text));
  ev.verb = std::move(verb);
  return ev;
}

std::optional<uint64_t> parse_decimal(std::string_view s, size_t max_digits = 20) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return std::nullopt;
    v = next;
  }
  return v;
}

// RFC 5321 §4.1.2 esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); esmtp-value =
// 1*(%d33-60 / %d62-126), and UTF-8 with SMTPUTF8 (RFC 6531 §3.3).
bool valid_keyword(std::string_view k) {
  if (k.empty()) return false;
  for (size_t i = 0; i < k.size(); ++i) {
    char c = k[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && i > 0)) return false;
  }
  return true;
}

bool valid_value(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v) {
    if (c < 33 || c == '=' || c == 127) return false;
  }
  return is_valid_utf8(v);
}

struct Param {
  std::string keyword;  // upper case
  std::optional<std::string_view> value;
};

// " KEY[=VALUE]" repeated; error event on malformed input.
std::optional<ParseEvent> split_params(std::string_view rest, const ParserLimits& limits,
                                       const std::string& verb, std::vector<Param>& out) {
  size_t at = 0;
  while (at < rest.size()) {
    if (rest[at] == ' ') {
      ++at;
      continue;
    }
    size_t end = rest.find(' ', at);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view item = rest.substr(at, end - at);
    at = end;
    Param p;
    size_t eq = item.find('=');
    p.keyword = upper(item.substr(0, eq));
    if (eq != std::string_view::npos) p.value = item.substr(eq + 1);
    if (!valid_keyword(p.keyword) || (p.value && !valid_value(*p.value))) {
      return error(501, "5.5.4", "Malformed parameter", verb);
    }
    for (const Param& seen : out) {
      if (seen.keyword == p.keyword) return error(501, "5.5.4", "Duplicate parameter", verb);
    }
    out.push_back(std::move(p));
    if (out.size() > limits.max_parameters) return error(501, "5.5.4", "Too many parameters", verb);
  }
  return std::nullopt;
}

ParseEvent unknown_param(const Param& p, const std::string& verb) {
  return error(555, "5.5.4", "Parameter " + p.keyword + " not recognized", verb);
}

ParseEvent bad_value(const Param& p, const std::string& verb) {
  return error(501, "5.5.4", "Invalid value for " + p.keyword, verb);
}

std::optional<ParseEvent> mail_params(std::vector<Param>& params, MailParams& mail,
                                      const std::string& verb) {
  for (const Param& p : params) {
    if (p.keyword == "SIZE") {  // RFC 1870 §3
      auto size = p.value ? parse_decimal(*p.value) : std::nullopt;
      if (!size) return bad_value(p, verb);
      mail.size = *size;
    } else if (p.keyword == "BODY") {  // RFC 6152 §2, RFC 3030 §3
      std::string v = p.value ? upper(*p.value) : std::string();
      if (v == "7BIT") {
        mail.body = BodyType::SevenBit;
      } else if (v == "8BITMIME") {
        mail.body = BodyType::EightBitMime;
      } else if (v == "BINARYMIME") {
        mail.body = BodyType::BinaryMime;
      } else {
        return error(501, "5.5.4", "Unknown BODY type", verb);
      }
    } else if (p.keyword == "SMTPUTF8") {  // RFC 6531 §3.4: no value
      if (p.value) return bad_value(p, verb);
      mail.smtputf8 = true;
    } else if (p.keyword == "AUTH") {  // RFC 4954 §5
      auto decoded = p.value ? xtext_decode(*p.value) : std::nullopt;
      if (!decoded) return bad_value(p, verb);
      mail.auth = std::move(*decoded);
    } else if (p.keyword == "RET") {  // RFC 3461 §4.3
      std::string v = p.value ? upper(*p.value) : std::string();
      if (v == "FULL") {
        mail.ret = DsnReturn::Full;
      } else if (v == "HDRS") {
        mail.ret = DsnReturn::Headers;
      } else {
        return bad_value(p, verb);
      }
    } else if (p.keyword == "ENVID") {  // RFC 3461 §4.4: at most 100 characters
      auto decoded = p.value ? xtext_decode(*p.value) : std::nullopt;
      if (!decoded || p.value->size() > 100) return bad_value(p, verb);
      mail.envid = std::move(*decoded);
    } else {
      return unknown_param(p, verb);
    }
  }
  return std::nullopt;
}

std::optional<ParseEvent> rcpt_params(std::vector<Param>& params, RcptParams& rcpt,
                                      const std::string& verb) {
  for (const Param& p : params) {
    if (p.keyword == "NOTIFY") {  // RFC 3461 §4.1
      if (!p.value) return bad_value(p, verb);
      std::string_view v = *p.value;
      size_t at = 0;
      while (at <= v.size()) {
        size_t comma = v.find(',', at);
        if (comma == std::string_view::npos) comma = v.size();
        std::string item = upper(v.substr(at, comma - at));
        if (item == "NEVER") {
          rcpt.notify |= kNotifyNever;
        } else if (item == "SUCCESS") {
          rcpt.notify |= kNotifySuccess;
        } else if (item == "FAILURE") {
          rcpt.notify |= kNotifyFailure;
        } else if (item == "DELAY") {
          rcpt.notify |= kNotifyDelay;
        } else {
          return bad_value(p, verb);
        }
        at = comma + 1;
      }
      if ((rcpt.notify & kNotifyNever) && rcpt.notify != kNotifyNever) return bad_value(p, verb);
    } else if (p.keyword == "ORCPT") {  // RFC 3461 §4.2: addr-type ";" xtext
      auto decoded = p.value ? xtext_decode(*p.value) : std::nullopt;
      if (!decoded || decoded->find(';') == std::string::npos || decoded->front() == ';') {
        return bad_value(p, verb);
      }
      rcpt.orcpt = std::move(*decoded);
    } else {
      return unknown_param(p, verb);
    }
  }
  return std::nullopt;
}

ParseEvent command_event(Command command) {
  ParseEvent ev;
  ev.kind = ParseEventKind::Command;
  ev.command = std::move(command);
  return ev;
}

bool no_controls(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 32 || c == 127) return false;
  }
  return true;
}

// MAIL FROM:<path> params / RCPT TO:<path> params (RFC 5321 §4.1.1.2, §4.1.1.3).
ParseEvent parse_mail_rcpt(Verb verb, std::string_view rest, const ParserLimits& limits) {
  std::string name(to_string(verb));
  std::string_view prefix = verb == Verb::Mail ? "FROM:" : "TO:";
  if (rest.size() < prefix.size() || upper(rest.substr(0, prefix.size())) != prefix) {
    return error(501, "5.5.4", "Syntax: " + name + (verb == Verb::Mail ? " FROM:<address>"
                                                                       : " TO:<address>"),
                 name);
  }
  rest.remove_prefix(prefix.size());
  // Common client habit: "MAIL FROM: <a@b>"; tolerated.
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  size_t used = 0;
  auto path = parse_path(rest, used, limits.address, verb == Verb::Mail, verb == Verb::Rcpt);
  if (!path) return error(501, "5.1.3", "Bad address: " + path.error().text, name);
  rest.remove_prefix(used);
  if (!rest.empty() && rest.front() != ' ') {
    return error(501, "5.5.4", "Expected a space after the address", name);
  }
  std::vector<Param> params;
  if (auto err = split_params(rest, limits, name, params)) return std::move(*err);
  Command c;
  c.verb = verb;
  c.path = std::move(*path);
  if (verb == Verb::Mail) {
    if (auto err = mail_params(params, c.mail, name)) return std::move(*err);
  } else {
    if (auto err = rcpt_params(params, c.rcpt, name)) return std::move(*err);
  }
  return command_event(std::move(c));
}

ParseEvent parse_line(std::string_view line, const ParserLimits& limits) {
  size_t space = line.find(' ');
  std::string_view keyword = line.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  auto verb = find_verb(keyword);
  if (!verb) {
    if (line.empty()) return error(500, "5.5.2", "Empty command");
    return error(500, "5.5.2", "Command not recognized");
  }
  std::string name(to_string(*verb));
  Command c;
  c.verb = *verb;
  switch (*verb) {
    case Verb::Helo:
    case Verb::Ehlo:
    case Verb::Lhlo: {
      // RFC 5321 §4.1.1.1: a domain or an address literal. Not checked beyond being one printable
      // token: the name is only recorded (Received:), and real clients send odd ones.
      while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
      if (rest.empty()) return error(501, "5.5.4", "Syntax: " + name + " hostname", name);
      if (rest.find(' ') != std::string_view::npos || !no_controls(rest) ||
          !is_valid_utf8(rest) || rest.size() > limits.address.max_domain) {
        return error(501, "5.5.4", "Invalid hostname", name);
      }
      c.argument = std::string(rest);
      return command_event(std::move(c));
    }
    case Verb::Mail:
    case Verb::Rcpt:
      return parse_mail_rcpt(*verb, rest, limits);
    case Verb::Data:
    case Verb::Rset:
    case Verb::Quit:
    case Verb::Starttls:
      if (!rest.empty()) return error(501, "5.5.4", name + " takes no arguments", name);
      return command_event(std::move(c));
    case Verb::Noop:
    case Verb::Vrfy:
    case Verb::Expn:
    case Verb::Help:
      if (!no_controls(rest)) return error(501, "5.5.4", "Invalid argument", name);
      if ((*verb == Verb::Vrfy || *verb == Verb::Expn) && rest.empty()) {
        return error(501, "5.5.4", "Syntax: " + name + " address", name);
      }
      c.argument = std::string(rest);
      return command_event(std::move(c));
    case Verb::Bdat: {  // RFC 3030 §4: "BDAT" SP chunk-size [ SP end-marker ]
      size_t sp = rest.find(' ');
      auto size = parse_decimal(rest.substr(0, sp));
      if (!size) return error(501, "5.5.4", "Syntax: BDAT size [LAST]", name);
      c.chunk_size = *size;
      if (sp != std::string_view::npos) {
        if (upper(rest.substr(sp + 1)) != "LAST") {
          return error(501, "5.5.4", "Syntax: BDAT size [LAST]", name);
        }
        c.last = true;
      }
      return command_event(std::move(c));
    }
    case Verb::Auth: {  // RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response]
      size_t sp = rest.find(' ');
      std::string mech = upper(rest.substr(0, sp));
      bool mech_ok = !mech.empty() && mech.size() <= 20;
      for (char ch : mech) {
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
          mech_ok = false;
        }
      }
      if (!mech_ok) return error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]", name);
      c.argument = std::move(mech);
      if (sp != std::string_view::npos) {
        std::string_view ir = rest.substr(sp + 1);
        if (ir.empty() || ir.size() > limits.max_sasl_line || ir.find(' ') != std::string_view::npos) {
          return error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]", name);
        }
        c.initial_response = std::string(ir);
      }
      return command_event(std::move(c));
    }
  }
  return error(500, "5.5.2", "Command not recognized");
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
    case ParseEventKind::Data:
      return "Data";
    case ParseEventKind::DataEnd:
      return "DataEnd";
    case ParseEventKind::Error:
      return "Error";
  }
  return "?";
}

ParseEvent parse_command_line(std::string_view line, const ParserLimits& limits) {
  return parse_line(line, limits);
}

CommandParser::CommandParser(ParserLimits limits) : limits_(limits) {}

void CommandParser::feed(std::string_view bytes) {
  if (discarding_) {
    size_t lf = bytes.find('\n');
    if (lf == std::string_view::npos) return;
    discarding_ = false;
    buffer_.append(bytes.substr(lf));  // keeps the LF so next() reports the error there
    pending_discard_end_ = true;
    return;
  }
  buffer_.append(bytes);
}

void CommandParser::begin_data() {
  mode_ = Mode::Data;
  decoder_.reset();
}

void CommandParser::begin_chunk(uint64_t size) {
  mode_ = Mode::Chunk;
  chunk_left_ = size;
}

size_t CommandParser::max_raw_line() const {
  // CR included, LF excluded.
  return mode_ == Mode::Line ? limits_.max_sasl_line + 1 : limits_.max_command_line - 1;
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

void CommandParser::compact() {
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
}

ParseEvent CommandParser::overflow_event() {
  if (overflow_verb_ == "-") {
    return error(500, "5.5.6", "Line too long (the limit is " + std::to_string(overflow_limit_) +
                                   " octets)");
  }
  return error(500, "5.5.2",
               "Line too long (the limit is " + std::to_string(overflow_limit_) + " octets)",
               overflow_verb_);
}

void CommandParser::note_overflow(std::string_view start) {
  overflow_verb_.clear();
  if (mode_ == Mode::Line) {
    mode_ = Mode::Command;
    overflow_verb_ = "-";  // RFC 4954 §4: 500 5.5.6 for an over-long SASL line
    overflow_limit_ = limits_.max_sasl_line;
    return;
  }
  auto verb = find_verb(start.substr(0, std::min(start.find(' '), size_t{9})));
  if (verb) overflow_verb_ = std::string(to_string(*verb));
  overflow_limit_ = limits_.max_command_line;
}

ParseEvent CommandParser::next_data() {
  decoded_.clear();
  size_t used = decoder_.decode(std::string_view(buffer_).substr(pos_), decoded_);
  pos_ += used;
  ParseEvent ev;
  if (!decoded_.empty()) {
    ev.kind = ParseEventKind::Data;
    ev.data = decoded_;
    return ev;  // DataEnd (if done) comes with the next call
  }
  compact();
  if (decoder_.done()) {
    mode_ = Mode::Command;
    ev.kind = ParseEventKind::DataEnd;
  }
  return ev;
}

ParseEvent CommandParser::next_chunk() {
  ParseEvent ev;
  if (chunk_left_ == 0) {
    mode_ = Mode::Command;
    ev.kind = ParseEventKind::DataEnd;
    return ev;
  }
  size_t have = buffer_.size() - pos_;
  if (have == 0) {
    compact();
    return ev;
  }
  size_t take = static_cast<size_t>(std::min<uint64_t>(have, chunk_left_));
  decoded_.assign(buffer_, pos_, take);
  pos_ += take;
  chunk_left_ -= take;
  ev.kind = ParseEventKind::Data;
  ev.data = decoded_;
  return ev;
}

ParseEvent CommandParser::next() {
  if (mode_ == Mode::Data) return next_data();
  if (mode_ == Mode::Chunk) return next_chunk();
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
    compact();
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

ParseEvent CommandParser::on_line(std::string_view line) {
  if (mode_ == Mode::Line) {
    mode_ = Mode::Command;
    if (line.size() > limits_.max_sasl_line) {  // a bare-LF line one octet over the limit
      return error(500, "5.5.6", "Line too long (the limit is " +
                                     std::to_string(limits_.max_sasl_line) + " octets)");
    }
    ParseEvent ev;
    ev.kind = ParseEventKind::Line;
    ev.line = std::string(line);
    return ev;
  }
  return parse_line(line, limits_);
}

}  // namespace roost::smtp
