// libFuzzer target for the SMTP command parser (src/smtp/proto). The input is fed in
// pseudo-random pieces; after DATA the harness enters data mode, after BDAT chunk mode, after
// AUTH sometimes a raw SASL line, and sometimes takes the buffered bytes (as STARTTLS does). It
// checks the parser's promises: no crash, next() always comes back to NeedMore, every error has
// a 4xx/5xx code, an enhanced code and text, paths keep their limits, a BDAT chunk yields exactly
// its size, and lines keep the limits. The same input also goes through the DATA decoder whole
// and byte by byte, which must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "smtp/proto/command_parser.h"
#include "smtp/proto/data_decoder.h"

namespace {

using roost::fuzz::Rng;
using roost::smtp::CommandParser;
using roost::smtp::DataDecoder;
using roost::smtp::ParseEvent;
using roost::smtp::ParseEventKind;
using roost::smtp::Verb;

struct Chunk {
  bool active = false;
  uint64_t expected = 0;
  uint64_t got = 0;
};

void drain(CommandParser& parser, Rng& rng, Chunk& chunk) {
  const auto& limits = parser.limits();
  for (int guard = 0; guard < 1000000; ++guard) {
    ParseEvent e = parser.next();
    switch (e.kind) {
      case ParseEventKind::NeedMore:
        return;
      case ParseEventKind::Command: {
        FUZZ_CHECK(e.command.has_value());
        const auto& c = *e.command;
        if (c.verb == Verb::Mail || c.verb == Verb::Rcpt) {
          FUZZ_CHECK(c.path.local.size() <= limits.address.max_local_part);
          FUZZ_CHECK(c.path.domain.size() <= limits.address.max_domain);
          FUZZ_CHECK(roost::smtp::is_valid_utf8(c.path.local));
          if (c.verb == Verb::Rcpt) FUZZ_CHECK(!c.path.is_null());
        }
        if (c.verb == Verb::Data && rng.next() % 2 == 0) parser.begin_data();
        if (c.verb == Verb::Bdat) {
          uint64_t size = c.chunk_size % 4096;  // keep runs short
          parser.begin_chunk(size);
          chunk = {true, size, 0};
        }
        if (c.verb == Verb::Auth && rng.next() % 2 == 0) parser.expect_line();
        if (rng.next() % 64 == 0) (void)parser.take_buffered();
        break;
      }
      case ParseEventKind::Line:
        FUZZ_CHECK(e.line.size() <= limits.max_sasl_line);
        FUZZ_CHECK(e.line.find('\n') == std::string::npos);
        break;
      case ParseEventKind::Data:
        FUZZ_CHECK(!e.data.empty());
        if (chunk.active) chunk.got += e.data.size();
        break;
      case ParseEventKind::DataEnd:
        if (chunk.active) FUZZ_CHECK(chunk.got == chunk.expected);
        chunk = {};
        break;
      case ParseEventKind::Error:
        FUZZ_CHECK(e.error.has_value() && !e.error->text.empty());
        FUZZ_CHECK(e.code >= 400 && e.code < 600 && e.enhanced.size() >= 5);
        break;
    }
  }
  std::abort();  // next() never returning NeedMore would hang a session
}

void check_decoder(std::string_view input) {
  DataDecoder whole;
  std::string a;
  size_t used_whole = whole.decode(input, a);
  DataDecoder bytes;
  std::string b;
  size_t used_bytes = 0;
  for (size_t i = 0; i < input.size() && !bytes.done(); ++i) {
    used_bytes += bytes.decode(input.substr(i, 1), b);
  }
  FUZZ_CHECK(a == b && used_whole == used_bytes && whole.done() == bytes.done());
  FUZZ_CHECK(a.size() <= used_whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Rng rng = roost::fuzz::rng_for(data, size);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  roost::smtp::ParserLimits limits;  // small lines, so the fuzzer reaches the limits quickly
  limits.max_command_line = 512 + rng.next() % 512;
  limits.max_sasl_line = 64 + rng.next() % 512;
  CommandParser parser(limits);
  Chunk chunk;
  size_t at = 0;
  while (at < input.size()) {
    size_t piece = 1 + rng.next() % 64;
    parser.feed(input.substr(at, piece));
    at += piece;
    drain(parser, rng, chunk);
  }
  drain(parser, rng, chunk);
  check_decoder(input);
  return 0;
}
