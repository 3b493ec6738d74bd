// SendRateLimiter: [smtp] messages_per_hour per submitting account, over a sliding hour. The
// session asks before MAIL (allowed()) and records each message once it was accepted
// (record()), so refused or failed messages do not count. Thread-safe; shared by all sessions.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>

#include "base/clock.h"
#include "store/types.h"

namespace roost::smtp {

class SendRateLimiter {
 public:
  // per_hour 0 = unlimited.
  SendRateLimiter(uint32_t per_hour, const Clock& clock) : per_hour_(per_hour), clock_(clock) {}

  bool allowed(store::AccountId account);
  void record(store::AccountId account);
  uint32_t per_hour() const { return per_hour_; }

 private:
  void expire(std::deque<int64_t>& sent, int64_t now);

  const uint32_t per_hour_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<store::AccountId, std::deque<int64_t>> sent_;  // unix seconds of accepted messages
};

}  // namespace roost::smtp
