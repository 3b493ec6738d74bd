// SessionCounter: how many sessions each account has open, with a limit (one table shared by
// every protocol that logs in). acquire() hands out a Lease that gives the slot back when it is
// destroyed. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/types.h"

namespace roost::auth {

class SessionCounter {
  struct State {
    std::mutex mutex;
    std::unordered_map<store::AccountId, size_t> open;
  };

 public:
  class Lease {
   public:
    Lease(std::shared_ptr<State> state, store::AccountId account)
        : state_(std::move(state)), account_(account) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();

   private:
    std::shared_ptr<State> state_;
    store::AccountId account_;
  };

  explicit SessionCounter(size_t limit_per_account) : limit_(limit_per_account) {}

  // A slot for one more session of the account, or nullopt when it already has `limit`
  // (0 = unlimited).
  std::optional<Lease> acquire(store::AccountId account);
  size_t open(store::AccountId account) const;

 private:
  size_t limit_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace roost::auth
