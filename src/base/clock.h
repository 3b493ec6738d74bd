// Clock: the time source, injectable so tests are deterministic.
#pragma once

#include <atomic>
#include <cstdint>

namespace roost {

class Clock {
 public:
  virtual ~Clock() = default;
  static Clock& system();
  virtual int64_t now_unix() const = 0;         // seconds since the epoch
  virtual int64_t now_unix_micros() const = 0;  // microseconds since the epoch
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_unix) : micros_(start_unix * 1000000) {}
  int64_t now_unix() const override { return micros_.load() / 1000000; }
  int64_t now_unix_micros() const override { return micros_.load(); }
  void advance_seconds(int64_t s) { micros_ += s * 1000000; }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace roost
