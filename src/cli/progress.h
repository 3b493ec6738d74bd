// Progress of `roost import` on stderr. Called only after a batch is durably
// committed, so every count it prints is an acknowledgement. On a terminal: one bar
// redrawn in place; otherwise plain lines, at most one per interval, plus a final one:
//   import: N/TOTAL messages (X MB) imported=I skipped=S failed=F
// Private to src/cli.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace roost::cli {

struct ImportCounts {
  uint64_t done = 0;   // messages handled (imported + skipped + failed), in source order
  uint64_t bytes = 0;  // source bytes of those
  uint64_t imported = 0;
  uint64_t skipped = 0;  // already in the mailbox (duplicates)
  uint64_t failed = 0;
};

class Progress {
 public:
  Progress(uint64_t total_messages, uint64_t total_bytes, bool terminal,
           std::chrono::milliseconds interval, std::FILE* out = stderr);
  void committed(const ImportCounts& counts);
  // The final line (always printed).
  void finish(const ImportCounts& counts);

 private:
  void draw_bar(const ImportCounts& counts, bool final);
  void print_line(const ImportCounts& counts);

  using SteadyClock = std::chrono::steady_clock;
  uint64_t total_messages_;
  uint64_t total_bytes_;
  bool terminal_;
  std::chrono::milliseconds interval_;
  std::FILE* out_;
  SteadyClock::time_point start_;
  SteadyClock::time_point last_{};
  bool printed_ = false;
  uint64_t printed_done_ = UINT64_MAX;  // plain mode: `done` of the last line printed
};

}  // namespace roost::cli
