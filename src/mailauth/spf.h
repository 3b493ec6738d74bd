// SPF (RFC 7208) with Debian's libspf2, its DNS lookups answered by our Resolver (so the
// configured servers, the timeout and the tests' records apply).
//
// Contract: thread-safe; check_spf() blocks on DNS: call it from a blocking-pool thread.
#pragma once

#include <string>
#include <string_view>

#include "mailauth/dns_resolver.h"

namespace roost::mailauth {

enum class SpfVerdict { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
std::string_view to_string(SpfVerdict verdict);  // RFC 8601 §2.7.2 names

struct SpfResult {
  SpfVerdict verdict = SpfVerdict::None;
  std::string domain;  // what was checked: the MAIL FROM domain, or the HELO name for <>
  std::string sender;  // smtp.mailfrom as reported: the address, or postmaster@HELO
};

// The SPF verdict for a client at `ip` that said HELO/EHLO `helo` and MAIL FROM:<mail_from>
// (empty for the null reverse-path, RFC 7208 §2.4).
SpfResult check_spf(Resolver& resolver, const IpAddress& ip, std::string_view helo,
                    std::string_view mail_from);

}  // namespace roost::mailauth
