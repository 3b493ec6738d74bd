// Fuzzes LineReader in line mode: the first byte picks the limits, the rest is fed in pieces
// whose sizes come from the data. Invariants: no Line longer than max_line_length, no CR/LF
// framing left in a Line's end, and every byte is accounted for.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/proto/line_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  roost::net::ReaderLimits limits{.max_line_length = static_cast<size_t>(data[0] % 64) + 1,
                                  .max_chunk = 16};
  size_t step = static_cast<size_t>(data[1] % 17) + 1;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  roost::net::LineReader reader(limits);
  size_t lines = 0, newlines = 0;
  for (char c : input) newlines += c == '\n';
  for (size_t off = 0; off < input.size(); off += step) {
    reader.feed(input.substr(off, step));
    while (true) {
      auto ev = reader.next();
      if (ev.kind == roost::net::ReadKind::NeedMore) break;
      if (ev.kind == roost::net::ReadKind::Line) {
        if (ev.data.size() > limits.max_line_length) std::abort();
        if (ev.data.find('\n') != std::string_view::npos) std::abort();
        ++lines;
      } else if (ev.kind != roost::net::ReadKind::TooLong) {
        std::abort();  // literal events without expect_literal()
      }
    }
    // Memory stays bounded: at most one over-limit line prefix plus one feed.
    if (reader.buffered_size() > limits.max_line_length + 1 + step) std::abort();
  }
  if (lines > newlines) std::abort();
  return 0;
}
