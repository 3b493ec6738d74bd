#include "cli/progress.h"

#include <string>

namespace roost::cli {
namespace {

double megabytes(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

std::string duration_text(double seconds) {
  if (seconds < 0 || seconds > 359999) return "--:--";
  auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

}  // namespace

Progress::Progress(uint64_t total_messages, uint64_t total_bytes, bool terminal,
                   std::chrono::milliseconds interval, std::FILE* out)
    : total_messages_(total_messages),
      total_bytes_(total_bytes),
      terminal_(terminal),
      interval_(interval),
      out_(out),
      start_(SteadyClock::now()) {}

void Progress::committed(const ImportCounts& counts) {
  auto now = SteadyClock::now();
  // A bar redraws often enough to look alive; plain lines stay readable in logs.
  auto every = terminal_ ? std::chrono::milliseconds(100) : interval_;
  if (printed_ && now - last_ < every) return;
  last_ = now;
  printed_ = true;
  if (terminal_) {
    draw_bar(counts, false);
  } else {
    print_line(counts);
  }
}

void Progress::finish(const ImportCounts& counts) {
  if (terminal_) {
    draw_bar(counts, true);
  } else if (counts.done != printed_done_) {
    print_line(counts);
  }
}

void Progress::print_line(const ImportCounts& counts) {
  std::fprintf(out_,
               "import: %llu/%llu messages (%.1f MB) imported=%llu skipped=%llu failed=%llu\n",
               static_cast<unsigned long long>(counts.done),
               static_cast<unsigned long long>(total_messages_), megabytes(counts.bytes),
               static_cast<unsigned long long>(counts.imported),
               static_cast<unsigned long long>(counts.skipped),
               static_cast<unsigned long long>(counts.failed));
  std::fflush(out_);
  printed_done_ = counts.done;
}

void Progress::draw_bar(const ImportCounts& counts, bool final) {
  constexpr int kWidth = 30;
  double fraction = total_messages_ == 0
                        ? 1.0
                        : static_cast<double>(counts.done) / static_cast<double>(total_messages_);
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '-');
  double elapsed = std::chrono::duration<double>(SteadyClock::now() - start_).count();
  double rate = elapsed > 0 ? static_cast<double>(counts.done) / elapsed : 0;
  double eta = rate > 0 ? static_cast<double>(total_messages_ - counts.done) / rate : -1;
  // "\r" + erase-line redraws the bar in place.
  std::fprintf(out_, "\r\033[Kimport [%s] %llu/%llu msgs  %.1f/%.1f MB  %.0f msg/s  %s %s",
               bar.c_str(), static_cast<unsigned long long>(counts.done),
               static_cast<unsigned long long>(total_messages_), megabytes(counts.bytes),
               megabytes(total_bytes_), rate, final ? "elapsed" : "ETA",
               duration_text(final ? elapsed : eta).c_str());
  if (final) std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace roost::cli
