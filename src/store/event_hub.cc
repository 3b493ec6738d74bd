#include "store/event_hub.h"

#include <algorithm>

namespace roost::store {

class EventHub::Handle final : public Subscription {
 public:
  Handle(std::weak_ptr<EventHub> hub, AccountId account, std::shared_ptr<Listener> listener)
      : hub_(std::move(hub)), account_(account), listener_(std::move(listener)) {}
  ~Handle() override {
    {
      std::lock_guard lock(listener_->mu);  // waits for a running callback to finish
      listener_->active = false;
    }
    if (auto hub = hub_.lock()) hub->remove(account_, listener_);
  }

 private:
  std::weak_ptr<EventHub> hub_;
  AccountId account_;
  std::shared_ptr<Listener> listener_;
};

std::unique_ptr<Subscription> EventHub::subscribe(AccountId account, Callback callback) {
  auto listener = std::make_shared<Listener>();
  listener->callback = std::move(callback);
  {
    std::lock_guard lock(mu_);
    listeners_.emplace(account, listener);
  }
  return std::make_unique<Handle>(weak_from_this(), account, std::move(listener));
}

void EventHub::remove(AccountId account, const std::shared_ptr<Listener>& listener) {
  std::lock_guard lock(mu_);
  auto [lo, hi] = listeners_.equal_range(account);
  for (auto it = lo; it != hi; ++it) {
    if (it->second == listener) {
      listeners_.erase(it);
      return;
    }
  }
}

void EventHub::publish(const std::vector<MailboxEvent>& events) {
  for (const MailboxEvent& event : events) {
    std::vector<std::shared_ptr<Listener>> targets;
    {
      std::lock_guard lock(mu_);
      auto [lo, hi] = listeners_.equal_range(event.account);
      for (auto it = lo; it != hi; ++it) targets.push_back(it->second);
    }
    // Callbacks run outside mu_ so they may subscribe or unsubscribe.
    for (const auto& listener : targets) {
      std::lock_guard lock(listener->mu);
      if (listener->active) listener->callback(event);
    }
  }
}

}  // namespace roost::store
