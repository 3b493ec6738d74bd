#include "mailauth/dns_cache.h"

#include <algorithm>

namespace roost::mailauth {

std::string DnsCache::key(int type, std::string_view name) {
  std::string k = std::to_string(type);
  k += '/';
  for (char c : name) k += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (!k.empty() && k.back() == '.') k.pop_back();  // "example.com." is "example.com"
  return k;
}

std::optional<RawDnsAnswer> DnsCache::find(int type, std::string_view name) const {
  std::string k = key(type, name);
  std::lock_guard lock(mu_);
  auto it = entries_.find(k);
  if (it == entries_.end() || it->second.expires_micros <= clock_.now_unix_micros()) {
    return std::nullopt;
  }
  return it->second.answer;
}

void DnsCache::put(int type, std::string_view name, RawDnsAnswer answer, int64_t ttl_seconds) {
  if (ttl_seconds <= 0 || capacity_ == 0) return;
  int64_t now = clock_.now_unix_micros();
  int64_t expires = now + std::min(ttl_seconds, kMaxTtlSeconds) * 1000000;
  std::string k = key(type, name);
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_ && !entries_.contains(k)) {
    std::erase_if(entries_, [&](const auto& e) { return e.second.expires_micros <= now; });
    if (entries_.size() >= capacity_) entries_.clear();
  }
  entries_[k] = Entry{std::move(answer), expires};
}

size_t DnsCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace roost::mailauth
