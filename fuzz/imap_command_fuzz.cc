// libFuzzer target for the IMAP command parser (src/imap/proto). The input is fed in
// pseudo-random pieces; the harness answers continuations, sometimes rejects APPEND literals or
// asks for a raw line, and checks the parser's promises: no crash, every command and every
// continuation has a tag, literals and chunks respect the limits, an APPEND message's chunks add
// up to its announced size. It also checks round trips of the small codecs on the raw input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "imap/proto/command_parser.h"
#include "imap/proto/date_time.h"
#include "imap/proto/mutf7.h"
#include "imap/proto/sequence_set.h"

namespace {

using roost::imap::CommandParser;
using roost::imap::ParseEvent;
using roost::imap::ParseEventKind;

using roost::fuzz::Rng;

struct Checker {
  CommandParser& parser;
  const roost::imap::ParserLimits& limits;
  Rng& rng;
  bool in_append = false;
  uint64_t announced = 0;
  uint64_t received = 0;

  void drain() {
    for (int guard = 0; guard < 1000000; ++guard) {
      ParseEvent e = parser.next();
      switch (e.kind) {
        case ParseEventKind::NeedMore:
          return;
        case ParseEventKind::NeedContinuation:
          FUZZ_CHECK(!e.tag.empty());
          FUZZ_CHECK(e.literal_size <= limits.max_literal_size);
          if (rng.next() % 16 == 0) parser.reject_literal();
          break;
        case ParseEventKind::LiteralStart:
          FUZZ_CHECK(!e.tag.empty());
          FUZZ_CHECK(e.literal_size <= limits.max_append_size);
          FUZZ_CHECK(e.message.size == e.literal_size);
          if (rng.next() % 8 == 0) {
            parser.reject_literal();
            break;
          }
          in_append = true;
          announced = e.literal_size;
          received = 0;
          break;
        case ParseEventKind::LiteralChunk:
          FUZZ_CHECK(in_append);
          FUZZ_CHECK(!e.data.empty() && e.data.size() <= limits.max_chunk);
          received += e.data.size();
          FUZZ_CHECK(received <= announced);
          break;
        case ParseEventKind::LiteralEnd:
          FUZZ_CHECK(in_append && received == announced);
          in_append = false;
          break;
        case ParseEventKind::Command:
          FUZZ_CHECK(!in_append);
          FUZZ_CHECK(e.command.has_value());
          FUZZ_CHECK(!e.command->tag.empty() && e.command->tag == e.tag);
          if (rng.next() % 32 == 0) parser.expect_line();
          break;
        case ParseEventKind::Line:
          FUZZ_CHECK(e.data.size() <= limits.max_line_length);
          break;
        case ParseEventKind::Error:
          FUZZ_CHECK(e.error.has_value() && !e.error->text.empty());
          in_append = false;
          break;
      }
    }
    std::abort();  // next() never returning NeedMore would hang a session
  }
};

void check_codecs(std::string_view text) {
  if (auto decoded = roost::imap::mutf7_decode(text)) {
    auto encoded = roost::imap::mutf7_encode(*decoded);  // the decoder accepts only canonical forms
    FUZZ_CHECK(encoded && *encoded == text);
  }
  if (auto set = roost::imap::SequenceSet::parse(text)) {
    auto again = roost::imap::SequenceSet::parse(set->to_string());
    FUZZ_CHECK(again && *again == *set);
    (void)set->resolve(1000);
  }
  if (auto dt = roost::imap::parse_date_time(text)) {
    std::string formatted = roost::imap::format_date_time(*dt);
    auto again =
        roost::imap::parse_date_time(std::string_view(formatted).substr(1, formatted.size() - 2));
    FUZZ_CHECK(again && *again == *dt);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Piece sizes and options come from a hash of the input, so seeds are plain command text.
  Rng rng = roost::fuzz::rng_for(data, size);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_codecs(input.substr(0, 64));

  roost::imap::ParserLimits limits;  // small, so the fuzzer reaches every limit quickly
  limits.max_line_length = 256;
  limits.max_literal_size = 300;
  limits.max_append_size = 2000;
  limits.max_command_size = 4096;
  limits.max_nesting = 8;
  limits.max_sequence_ranges = 64;
  limits.max_search_keys = 64;
  limits.max_chunk = 1 + rng.next() % 128;
  if (rng.next() % 4 == 0) limits.max_nonsync_literal_size = 100;
  CommandParser parser(limits);
  parser.set_utf8_names(rng.next() % 2 == 0);
  Checker checker{parser, limits, rng};

  size_t at = 0;
  while (at < input.size()) {
    size_t piece = 1 + rng.next() % 64;
    parser.feed(input.substr(at, piece));
    at += piece;
    checker.drain();
  }
  checker.drain();
  return 0;
}
