// DKIM verification (RFC 6376; ed25519-sha256 per RFC 8463) with Debian's libopendkim:
// canonicalization, tag parsing and the crypto are the library's. Signing: dkim_signer.h.
//
// Contract: thread-safe (one Dkim serves every session); verify() blocks on DNS (the key
// records), so call it from a blocking-pool thread. Messages are the bytes as received, CRLF.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dns_resolver.h"

struct dkim_lib;

namespace roost::mailauth {

// The verdict on one DKIM-Signature field (RFC 8601 §2.7.1 result names).
enum class DkimVerdict { Pass, Fail, Neutral, TempError, PermError };
std::string_view to_string(DkimVerdict verdict);

struct DkimResult {
  DkimVerdict verdict = DkimVerdict::PermError;
  std::string domain;     // d=
  std::string selector;   // s=
  std::string algorithm;  // "rsa-sha256", "ed25519-sha256"
  std::string reason;     // why it did not pass, in plain words
};

class Dkim {
 public:
  static Result<std::unique_ptr<Dkim>> create();
  ~Dkim();

  // Every signature of the message, verified against the keys in DNS. No signature: empty.
  std::vector<DkimResult> verify(std::string_view message, Resolver& resolver);

 private:
  explicit Dkim(dkim_lib* verifier) : verifier_(verifier) {}
  dkim_lib* verifier_;
};

}  // namespace roost::mailauth
