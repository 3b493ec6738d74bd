// EventHub: in-process fan-out of MailboxEvents to Store::subscribe() callbacks.
// Backend-neutral; a store publishes after commit, outside its own locks.
// A callback never runs after its Subscription has been destroyed.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "store/store.h"

namespace roost::store {

class EventHub : public std::enable_shared_from_this<EventHub> {
 public:
  using Callback = std::function<void(const MailboxEvent&)>;

  std::unique_ptr<Subscription> subscribe(AccountId account, Callback callback);
  void publish(const std::vector<MailboxEvent>& events);

 private:
  struct Listener {
    std::recursive_mutex mu;  // recursive: a callback may drop its own subscription
    Callback callback;
    bool active = true;
  };
  class Handle;
  void remove(AccountId account, const std::shared_ptr<Listener>& listener);

  std::mutex mu_;
  std::multimap<AccountId, std::shared_ptr<Listener>> listeners_;
};

}  // namespace roost::store
