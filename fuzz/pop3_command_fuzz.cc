// libFuzzer target for the POP3 command parser (src/pop3/proto). The input is fed in
// pseudo-random pieces; the harness sometimes asks for a raw SASL line or takes the buffered
// bytes (as STLS does) and checks the parser's promises: no crash, next() always comes back to
// NeedMore, every error has text, commands respect the argument rules, lines respect the limits,
// and commands keep the limits. The same input also goes through the RETR/TOP encoder, whose
// output must be CRLF-terminated lines, byte-stuffed, and for RETR unstuff to the input with
// bare LFs as CRLF (and a final CRLF when the input lacks one).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "pop3/proto/command_parser.h"
#include "pop3/proto/message_encoder.h"

namespace {

using roost::pop3::CommandParser;
using roost::pop3::MessageEncoder;
using roost::pop3::ParseEvent;
using roost::pop3::ParseEventKind;
using roost::pop3::Verb;

using roost::fuzz::Rng;

void drain(CommandParser& parser, Rng& rng) {
  const auto& limits = parser.limits();
  for (int guard = 0; guard < 1000000; ++guard) {
    ParseEvent e = parser.next();
    switch (e.kind) {
      case ParseEventKind::NeedMore:
        return;
      case ParseEventKind::Command: {
        FUZZ_CHECK(e.command.has_value());
        const auto& c = *e.command;
        if (c.message) FUZZ_CHECK(*c.message >= 1 && *c.message <= roost::pop3::kMaxMessageNumber);
        if (c.verb == Verb::Retr || c.verb == Verb::Dele || c.verb == Verb::Top) {
          FUZZ_CHECK(c.message.has_value());
        }
        if (c.verb == Verb::User || c.verb == Verb::Pass) {
          FUZZ_CHECK(!c.text.empty() && c.text.size() + 7 <= limits.max_command_line);
        }
        if (c.verb == Verb::Auth) {
          FUZZ_CHECK(c.mechanism.size() <= 20);
          FUZZ_CHECK(!c.initial_response || c.initial_response->size() <= limits.max_sasl_line);
        }
        if (rng.next() % 8 == 0) parser.expect_line();
        if (rng.next() % 64 == 0) (void)parser.take_buffered();
        break;
      }
      case ParseEventKind::Line:
        FUZZ_CHECK(e.line.size() <= limits.max_sasl_line);
        FUZZ_CHECK(e.line.find('\n') == std::string::npos);
        break;
      case ParseEventKind::Error:
        FUZZ_CHECK(e.error.has_value() && !e.error->text.empty());
        break;
    }
  }
  std::abort();  // next() never returning NeedMore would hang a session
}

void check_encoder(std::string_view message, Rng& rng) {
  std::optional<uint32_t> lines;
  if (rng.next() % 2 == 0) lines = rng.next() % 8;
  MessageEncoder encoder(lines);
  std::string out;
  size_t at = 0;
  while (at < message.size()) {
    size_t piece = 1 + rng.next() % 32;
    encoder.feed(message.substr(at, piece), out);
    at += piece;
  }
  encoder.finish(out);
  FUZZ_CHECK(out.size() >= 3 && out.compare(out.size() - 3, 3, ".\r\n") == 0);
  // Every LF is part of CRLF; a line that starts with '.' is the terminator or stuffed ("..").
  std::string unstuffed;
  size_t start = 0;
  while (start < out.size()) {
    size_t lf = out.find('\n', start);
    FUZZ_CHECK(lf != std::string::npos && lf > start && out[lf - 1] == '\r');
    bool last = lf + 1 == out.size();
    if (out[start] == '.') {
      FUZZ_CHECK(last ? lf - start == 2 : (lf - start > 2 && out[start + 1] == '.'));
      if (!last) unstuffed.append(out, start + 1, lf - start);
    } else {
      FUZZ_CHECK(!last);
      unstuffed.append(out, start, lf + 1 - start);
    }
    start = lf + 1;
  }
  FUZZ_CHECK(unstuffed.size() == encoder.content_octets());
  std::string expected;  // the oracle: bare LF → CRLF, a final CRLF when missing
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) expected += '\r';
    expected += message[i];
  }
  if (!message.empty() && message.back() != '\n') expected += "\r\n";
  FUZZ_CHECK(encoder.consumed() <= message.size());
  if (lines && encoder.consumed() < message.size()) {
    FUZZ_CHECK(expected.compare(0, unstuffed.size(), unstuffed) == 0);  // a prefix for TOP
  } else {
    FUZZ_CHECK(unstuffed == expected);  // RETR, or a TOP that sent everything
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Piece sizes and options come from a hash of the input, so seeds are plain command text.
  Rng rng = roost::fuzz::rng_for(data, size);
  std::string_view input(reinterpret_cast<const char*>(data), size);

  roost::pop3::ParserLimits limits;  // small SASL lines, so the fuzzer reaches them quickly
  limits.max_sasl_line = 64 + rng.next() % 512;
  CommandParser parser(limits);
  size_t at = 0;
  while (at < input.size()) {
    size_t piece = 1 + rng.next() % 64;
    parser.feed(input.substr(at, piece));
    at += piece;
    drain(parser, rng);
  }
  drain(parser, rng);
  check_encoder(input, rng);
  return 0;
}
