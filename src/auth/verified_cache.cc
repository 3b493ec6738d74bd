#include "auth/verified_cache.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace roost::auth {

VerifiedCache::VerifiedCache(VerifiedCacheOptions options) : options_(options), key_(32, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) !=
      1) {
    options_.ttl_seconds = 0;  // no key, no cache: every login verifies the slow way
  }
}

std::string VerifiedCache::tag(std::string_view stored_hash, std::string_view password) const {
  // The stored hash first, NUL-terminated, so no (hash, password) pair collides with another.
  std::string message(stored_hash);
  message += '\0';
  message += password;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &length);
  OPENSSL_cleanse(message.data(), message.size());
  return std::string(reinterpret_cast<const char*>(out), length);
}

void VerifiedCache::erase_locked(Entries::iterator it) {
  by_expiry_.erase(it->second.expiry);
  entries_.erase(it);
}

bool VerifiedCache::hit(const std::string& account, std::string_view stored_hash,
                        std::string_view password, int64_t now_unix) {
  if (options_.ttl_seconds <= 0) return false;
  std::string want = tag(stored_hash, password);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(account);
  if (it == entries_.end()) return false;
  if (it->second.expiry->first <= now_unix) {
    erase_locked(it);
    return false;
  }
  const std::string& have = it->second.tag;
  return have.size() == want.size() && CRYPTO_memcmp(have.data(), want.data(), want.size()) == 0;
}

void VerifiedCache::remember(const std::string& account, std::string_view stored_hash,
                             std::string_view password, int64_t now_unix) {
  if (options_.ttl_seconds <= 0 || options_.max_entries == 0) return;
  std::string value = tag(stored_hash, password);
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(account); it != entries_.end()) erase_locked(it);
  while (entries_.size() >= options_.max_entries) {
    erase_locked(entries_.find(by_expiry_.begin()->second));
  }
  auto expiry = by_expiry_.emplace(now_unix + options_.ttl_seconds, account);
  entries_.emplace(account, Entry{std::move(value), expiry});
}

void VerifiedCache::forget(const std::string& account) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(account); it != entries_.end()) erase_locked(it);
}

size_t VerifiedCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace roost::auth
