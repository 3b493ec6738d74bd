// DMARC (RFC 7489): the policy record is fetched through our Resolver (_dmarc.<From domain>,
// then the organizational domain, §6.6.3) and parsed by Debian's libopendmarc; identifier
// alignment (§3.1) and the disposition (§6.6.4) are judged here, with organizational domains
// from libpsl (the Public Suffix List algorithm, default rule included). libopendmarc 1.4.2's
// own alignment check called unrelated domains aligned when their TLD was missing from its
// suffix list (a.test against evil.test), so it is not used.
//
// Contract: thread-safe after dmarc_init(); evaluate_dmarc() blocks on DNS.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim.h"
#include "mailauth/dns_resolver.h"
#include "mailauth/spf.h"

namespace roost::mailauth {

enum class DmarcVerdict { None, Pass, Fail, TempError, PermError };
std::string_view to_string(DmarcVerdict verdict);

// What the receiver should do (RFC 7489 §6.3 p= / sp=, for a failing message).
enum class DmarcDisposition { Accept, Quarantine, Reject };

struct DmarcResult {
  DmarcVerdict verdict = DmarcVerdict::None;
  DmarcDisposition disposition = DmarcDisposition::Accept;
  std::string from_domain;
  std::string policy;  // "none", "quarantine", "reject" as published; empty without a record
};

// Loads the Public Suffix List (the newest of libpsl's built-in copy and Debian's
// publicsuffix package) and starts libopendmarc, once per process.
Status dmarc_init();

// The organizational domain of `domain` (one label under its public suffix; RFC 7489 §3.2).
std::string organizational_domain(std::string_view domain);

DmarcResult evaluate_dmarc(Resolver& resolver, const IpAddress& ip, std::string_view from_domain,
                           const SpfResult& spf, const std::vector<DkimResult>& dkim);

}  // namespace roost::mailauth
