#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

namespace roost::log {
namespace {

std::atomic<Level> g_min_level{Level::Info};

// Lines are buffered and written by a flusher thread about every kFlushDelay (or at once past
// kFlushBytes, for warnings and errors, and at exit), so a command costs no write(2) or lock
// held across a syscall on the I/O threads; a crash loses at most the last few ms of lines.
constexpr auto kFlushDelay = std::chrono::milliseconds(20);
constexpr size_t kFlushBytes = 64 * 1024;

struct Sink {
  std::mutex mu;        // guards buffer
  std::mutex write_mu;  // keeps flushes in order
  std::condition_variable cv;
  std::string buffer;
};

Sink& sink() {
  static Sink* s = new Sink;  // never destroyed: threads may log while the process exits
  return *s;
}

void write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(STDERR_FILENO, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing stderr
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void flush_buffer() {
  Sink& s = sink();
  std::lock_guard write_lock(s.write_mu);
  std::string out;
  {
    std::lock_guard lock(s.mu);
    out.swap(s.buffer);
  }
  write_all(out);
}

void start_flusher() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::atexit(flush_buffer);
    std::thread([] {
      Sink& s = sink();
      for (;;) {
        {
          std::unique_lock lock(s.mu);
          s.cv.wait(lock, [&] { return !s.buffer.empty(); });
        }
        std::this_thread::sleep_for(kFlushDelay);  // gathers the lines of many commands
        flush_buffer();
      }
    }).detach();
  });
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
}

void append_value(std::string& out, std::string_view v) {
  bool quote = v.empty() || v.find_first_of(" \"=\t\r\n\\") != std::string_view::npos;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

}  // namespace

void set_min_level(Level level) { g_min_level = level; }

Level parse_level(std::string_view name, Level fallback) {
  if (name == "debug") return Level::Debug;
  if (name == "info") return Level::Info;
  if (name == "warn") return Level::Warn;
  if (name == "error") return Level::Error;
  return fallback;
}

void event(Level level, std::string_view name, std::initializer_list<Field> fields) {
  if (level < g_min_level.load()) return;
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[96];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  std::string line = ts;
  line += ' ';
  line += level_name(level);
  line += " event=";
  line += name;
  for (const Field& f : fields) {
    line += ' ';
    line += f.key;
    line += '=';
    append_value(line, f.value);
  }
  line += '\n';
  start_flusher();
  Sink& s = sink();
  bool write_now = level >= Level::Warn;
  {
    std::lock_guard lock(s.mu);
    if (s.buffer.empty()) s.cv.notify_one();
    s.buffer += line;
    write_now = write_now || s.buffer.size() >= kFlushBytes;
  }
  if (write_now) flush_buffer();
}

void flush() { flush_buffer(); }

}  // namespace roost::log
