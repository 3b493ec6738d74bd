// Fuzzes LineReader's literal mode with an IMAP-like driver: a line ending in "{N}" starts an
// N-byte literal (N < 4096). Invariant: byte conservation — every byte fed is handed out once
// as line content, line terminator, literal chunk, discarded too-long bytes, or still buffered.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/proto/line_reader.h"

namespace {

uint64_t literal_size(std::string_view line, bool* found) {
  *found = false;
  if (line.size() < 3 || line.back() != '}') return 0;
  auto open = line.rfind('{');
  if (open == std::string_view::npos || open + 2 > line.size() - 1) return 0;
  uint64_t n = 0;
  for (size_t i = open + 1; i < line.size() - 1; ++i) {
    if (line[i] < '0' || line[i] > '9' || n > 4096) return 0;
    n = n * 10 + static_cast<uint64_t>(line[i] - '0');
  }
  *found = n < 4096;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  roost::net::ReaderLimits limits{.max_line_length = static_cast<size_t>(data[0] % 200) + 8,
                                  .max_chunk = static_cast<size_t>(data[1] % 32) + 1};
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  roost::net::LineReader reader(limits);
  std::string literal_bytes, expected_literal;
  uint64_t pending_literal = 0;
  size_t offset = 0;  // bytes of input consumed by lines/literals as the driver sees them
  size_t step = 1 + (size % 7);
  for (size_t off = 0; off < input.size(); off += step) {
    reader.feed(input.substr(off, step));
    while (true) {
      auto ev = reader.next();
      using K = roost::net::ReadKind;
      if (ev.kind == K::NeedMore) break;
      if (ev.kind == K::LiteralChunk) {
        if (ev.data.empty() || ev.data.size() > limits.max_chunk) std::abort();
        if (ev.data.size() > pending_literal) std::abort();
        // The chunk must be exactly the next bytes of the input.
        if (input.substr(offset, ev.data.size()) != ev.data) std::abort();
        offset += ev.data.size();
        pending_literal -= ev.data.size();
      } else if (ev.kind == K::LiteralEnd) {
        if (pending_literal != 0) std::abort();
      } else if (ev.kind == K::Line) {
        if (ev.data.size() > limits.max_line_length) std::abort();
        if (input.substr(offset, ev.data.size()) != ev.data) std::abort();
        offset += ev.data.size();
        if (input[offset] == '\r') ++offset;
        if (input[offset] != '\n') std::abort();
        ++offset;
        bool found = false;
        uint64_t n = literal_size(ev.data, &found);
        if (found) {
          if (!reader.expect_literal(n)) std::abort();
          pending_literal = n;
        }
      } else if (ev.kind == K::TooLong) {
        // Skip the discarded line in our model: up to and including its LF, if it has arrived.
        auto lf = input.find('\n', offset);
        size_t fed = off + std::min(step, input.size() - off);
        if (lf != std::string_view::npos && lf < fed) {
          offset = lf + 1;
        } else {
          // The reader drops the line as it arrives; resynchronise at the next LF later.
          offset = lf == std::string_view::npos ? input.size() : lf + 1;
        }
      }
    }
    size_t fed = off + std::min(step, input.size() - off);
    // Conservation: what the reader holds is exactly what the model has not yet consumed.
    if (offset <= fed && reader.buffered_size() != fed - offset) std::abort();
  }
  return 0;
}
