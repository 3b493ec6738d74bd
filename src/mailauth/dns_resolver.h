// DNS lookups for mail authentication (SPF, DKIM keys, DMARC policies) and, later, MX routing
// for the outbound queue.
//
// Contract:
// - Calls block until the answer or the timeout: call them from a blocking-pool thread.
// - Thread-safe: one Resolver serves every session.
// - "No such name" and "no record of that type" are answers (an empty list, `nxdomain` says
//   which); a timeout, SERVFAIL or unreachable server is ErrorKind::Temporary, which SPF and
//   DMARC report as temperror (RFC 7208 §2.6.6, RFC 7489 §6.6.3) rather than as "none".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace roost::mailauth {

struct MxHost {
  uint16_t preference = 0;
  std::string host;  // no trailing dot
};

// An IPv4 (4 bytes) or IPv6 (16 bytes) address, network byte order.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  static Result<IpAddress> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

template <class T>
struct DnsAnswer {
  std::vector<T> records;
  bool nxdomain = false;  // the name does not exist (as opposed to: no record of this type)
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // TXT records, each one's character-strings joined without separator (RFC 7208 §3.3).
  virtual Result<DnsAnswer<std::string>> txt(std::string_view name) = 0;
  virtual Result<DnsAnswer<MxHost>> mx(std::string_view name) = 0;
  // A (v6 = false) or AAAA (v6 = true) records.
  virtual Result<DnsAnswer<IpAddress>> address(std::string_view name, bool v6) = 0;
  // PTR names of an address (reverse lookup).
  virtual Result<DnsAnswer<std::string>> ptr(const IpAddress& ip) = 0;
};

struct ResolverOptions {
  // "system": the servers in /etc/resolv.conf; "recursive": resolve from the root servers;
  // otherwise one or more "IP" or "IP@PORT" forwarders separated by commas ([dns] resolver).
  std::string servers = "system";
  uint32_t timeout_ms = 5000;
};

// The resolver Roost uses: libunbound (Debian's libunbound8), forwarding to the configured
// servers or resolving recursively itself, with its own cache and, in front of it, a DnsCache
// (answers for their TTL without a hand-off to unbound's worker thread).
Result<std::unique_ptr<Resolver>> make_unbound_resolver(const ResolverOptions& options);

// The reverse-lookup name of an address: "4.3.2.1.in-addr.arpa", nibbles under "ip6.arpa".
std::string reverse_name(const IpAddress& ip);

}  // namespace roost::mailauth
