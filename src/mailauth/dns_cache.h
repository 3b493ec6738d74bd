// DnsCache: answers from the resolver kept in the process for their TTL, so a repeated lookup
// (the SPF and DMARC records of a sender domain, for every message it sends) is answered
// without a round trip through libunbound's worker thread. libunbound caches too, but reaching
// that cache costs two pipe hand-offs between threads per query; this one is a map lookup.
//
// Entries are keyed by record type and lower-cased name, live min(TTL, kMaxTtlSeconds), and are
// never kept when the TTL is 0. Temporary failures are not cached. When full, expired entries
// go first, then everything (a simple bound: the cache is an optimisation, never the truth).
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"

namespace roost::mailauth {

// One answer as the wire gave it: each record's rdata, or "no such name".
struct RawDnsAnswer {
  bool nxdomain = false;
  std::vector<std::string> rdata;
};

class DnsCache {
 public:
  static constexpr int64_t kMaxTtlSeconds = 3600;
  static constexpr size_t kDefaultCapacity = 4096;

  explicit DnsCache(const Clock& clock = Clock::system(), size_t capacity = kDefaultCapacity)
      : clock_(clock), capacity_(capacity) {}

  std::optional<RawDnsAnswer> find(int type, std::string_view name) const;
  void put(int type, std::string_view name, RawDnsAnswer answer, int64_t ttl_seconds);
  size_t size() const;

 private:
  struct Entry {
    RawDnsAnswer answer;
    int64_t expires_micros = 0;
  };
  static std::string key(int type, std::string_view name);

  const Clock& clock_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace roost::mailauth
