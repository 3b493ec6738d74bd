#include "auth/login_throttle.h"

#include <algorithm>

namespace roost::auth {

LoginThrottle::LoginThrottle(const Clock& clock, ThrottleOptions options)
    : clock_(clock), options_(options) {}

std::string LoginThrottle::key(std::string_view ip, std::string_view account) {
  std::string k(ip);
  k += '\0';  // cannot occur in either part, so keys never collide
  k += account;
  return k;
}

int64_t LoginThrottle::delay_after(int64_t failures) const {
  int64_t over = failures - options_.free_failures;
  if (over <= 0) return 0;
  if (over > 30) return options_.max_delay_seconds;  // 2^30 s is past any sane cap
  return std::min<int64_t>(int64_t{1} << (over - 1), options_.max_delay_seconds);
}

bool LoginThrottle::expired(const Entry& entry, int64_t now) const {
  return now - entry.last_failure >= options_.forget_after_seconds;
}

int64_t LoginThrottle::wait_seconds(std::string_view ip, std::string_view account) {
  int64_t now = clock_.now_unix();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key(ip, account));
  if (it == entries_.end()) return 0;
  if (expired(it->second, now)) {
    entries_.erase(it);
    return 0;
  }
  int64_t ready = it->second.last_failure + delay_after(it->second.failures);
  return std::max<int64_t>(0, ready - now);
}

int64_t LoginThrottle::record_failure(std::string_view ip, std::string_view account) {
  int64_t now = clock_.now_unix();
  std::lock_guard<std::mutex> lock(mutex_);
  std::string k = key(ip, account);
  auto it = entries_.find(k);
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(std::move(k), Entry{}).first;
  } else if (expired(it->second, now)) {
    it->second = Entry{};
  }
  it->second.failures++;
  it->second.last_failure = now;
  return it->second.failures;
}

void LoginThrottle::record_success(std::string_view ip, std::string_view account) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(key(ip, account));
}

size_t LoginThrottle::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

void LoginThrottle::make_room(int64_t now) {
  if (entries_.size() < options_.max_entries) return;
  std::erase_if(entries_, [&](const auto& kv) { return expired(kv.second, now); });
  if (entries_.size() < options_.max_entries || entries_.empty()) return;
  auto oldest = std::min_element(
      entries_.begin(), entries_.end(),
      [](const auto& a, const auto& b) { return a.second.last_failure < b.second.last_failure; });
  entries_.erase(oldest);
}

}  // namespace roost::auth
