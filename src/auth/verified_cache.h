// VerifiedCache: remembers, for a while, that a password verified against an account's stored
// hash, so a client that logs in again and again (phones reconnect on every wake-up, some
// clients open a session per folder) costs one argon2 verification per `ttl` instead of one per
// login. Like Dovecot's auth cache, but it holds no password and no fast hash of one that is
// useful outside this process: an entry is HMAC-SHA-256 under a random per-process key of
// (stored hash, password). A wrong password never hits (it is verified the slow way and counted
// by the throttle); a password change changes the stored hash, so old entries stop matching.
//
// Thread-safe. Bounded: at most `max_entries` accounts; when full, the entry closest to expiry
// is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace roost::auth {

struct VerifiedCacheOptions {
  int64_t ttl_seconds = 3600;  // 0 disables the cache
  size_t max_entries = 100000;
};

class VerifiedCache {
 public:
  explicit VerifiedCache(VerifiedCacheOptions options);

  // True when `password` verified against exactly `stored_hash` for `account` less than
  // ttl_seconds before `now_unix`.
  bool hit(const std::string& account, std::string_view stored_hash, std::string_view password,
           int64_t now_unix);
  // Records a successful verification.
  void remember(const std::string& account, std::string_view stored_hash,
                std::string_view password, int64_t now_unix);
  // Forgets the account (password changed, account deleted).
  void forget(const std::string& account);
  size_t size() const;

 private:
  using Expiry = std::multimap<int64_t, std::string>;  // expiry time -> account
  struct Entry {
    std::string tag;
    Expiry::iterator expiry;
  };
  using Entries = std::unordered_map<std::string, Entry>;

  std::string tag(std::string_view stored_hash, std::string_view password) const;
  void erase_locked(Entries::iterator it);

  VerifiedCacheOptions options_;
  std::string key_;  // random, per process
  mutable std::mutex mutex_;
  Entries entries_;
  Expiry by_expiry_;
};

}  // namespace roost::auth
