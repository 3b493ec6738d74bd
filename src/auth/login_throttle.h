// LoginThrottle: slows password guessing per (client IP, account). After `free_failures`
// failures each further attempt must wait 1, 2, 4 … seconds (capped) after the last
// failure; a success or `forget_after_seconds` of quiet clears the count.
// Thread-safe. Memory is bounded by `max_entries` (oldest failures are dropped first).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace roost::auth {

struct ThrottleOptions {
  int64_t free_failures = 3;
  int64_t max_delay_seconds = 300;
  int64_t forget_after_seconds = 900;
  size_t max_entries = 100000;
};

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, ThrottleOptions options);

  // Seconds until (ip, account) may try again; 0 = it may try now.
  int64_t wait_seconds(std::string_view ip, std::string_view account);
  // Returns the failure count after this one.
  int64_t record_failure(std::string_view ip, std::string_view account);
  void record_success(std::string_view ip, std::string_view account);
  size_t size();

 private:
  struct Entry {
    int64_t failures = 0;
    int64_t last_failure = 0;  // unix seconds
  };
  static std::string key(std::string_view ip, std::string_view account);
  int64_t delay_after(int64_t failures) const;
  bool expired(const Entry& entry, int64_t now) const;
  void make_room(int64_t now);  // called with mutex_ held

  const Clock& clock_;
  ThrottleOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace roost::auth
