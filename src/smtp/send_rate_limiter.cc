#include "smtp/send_rate_limiter.h"

namespace roost::smtp {

void SendRateLimiter::expire(std::deque<int64_t>& sent, int64_t now) {
  while (!sent.empty() && sent.front() <= now - 3600) sent.pop_front();
}

bool SendRateLimiter::allowed(store::AccountId account) {
  if (per_hour_ == 0) return true;
  std::lock_guard lock(mutex_);
  auto it = sent_.find(account);
  if (it == sent_.end()) return true;
  expire(it->second, clock_.now_unix());
  if (it->second.empty()) {
    sent_.erase(it);
    return true;
  }
  return it->second.size() < per_hour_;
}

void SendRateLimiter::record(store::AccountId account) {
  if (per_hour_ == 0) return;
  std::lock_guard lock(mutex_);
  auto& sent = sent_[account];
  int64_t now = clock_.now_unix();
  expire(sent, now);
  sent.push_back(now);
}

}  // namespace roost::smtp
