#include "auth/session_counter.h"

namespace roost::auth {

SessionCounter::Lease::~Lease() {
  if (!state_) return;  // moved from
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto it = state_->open.find(account_);
  if (it != state_->open.end() && --it->second == 0) state_->open.erase(it);
}

std::optional<SessionCounter::Lease> SessionCounter::acquire(store::AccountId account) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  size_t& n = state_->open[account];
  if (limit_ != 0 && n >= limit_) {
    if (n == 0) state_->open.erase(account);
    return std::nullopt;
  }
  ++n;
  return Lease(state_, account);
}

size_t SessionCounter::open(store::AccountId account) const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto it = state_->open.find(account);
  return it == state_->open.end() ? 0 : it->second;
}

}  // namespace roost::auth
