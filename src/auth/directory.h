// Directory: accounts and their passwords over store::Store. The one place that checks
// a password, so every protocol (IMAP LOGIN/AUTHENTICATE, POP3, SMTP AUTH) gets the
// same throttling and the same answers.
//
// Thread-safe. Calls block (argon2 takes ~20 ms, the store touches disk): call them
// from a worker thread, never from an I/O thread. A password that verified lately is
// remembered (auth/verified_cache.h), so logging in again skips argon2.
// Errors: NoPerm "authentication failed" for an unknown account or a wrong password
// (the same text and similar timing, so names cannot be probed); Limit when throttled;
// Syntax for a bad name or password on create; store errors otherwise.
// Setting a password (create_account, set_password) also stores SCRAM-SHA-256 credentials.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "auth/login_throttle.h"
#include "auth/password_hash.h"
#include "auth/scram.h"
#include "auth/verified_cache.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace roost::auth {

struct DirectoryOptions {
  HashOptions hash;
  ThrottleOptions throttle;
  VerifiedCacheOptions cache;
};

class Directory {
 public:
  Directory(store::Store& store, const Clock& clock, DirectoryOptions options = {});

  Result<store::Account> authenticate(std::string_view name, std::string_view password,
                                      std::string_view client_ip);

  // SCRAM (RFC 5802): what to challenge `name` with. Limit when throttled. An unknown account,
  // or one whose password was set before SCRAM credentials were stored, gets made-up
  // credentials: the exchange then fails at the proof, like a wrong password.
  struct ScramLookup {
    std::string account;  // normalized name (throttle key)
    ScramCredentials credentials;
    std::optional<store::Account> found;  // nullopt: the made-up case
  };
  Result<ScramLookup> scram_lookup(std::string_view name, std::string_view client_ip);
  // The end of a SCRAM exchange: throttling and logs as for authenticate(); NoPerm unless
  // `proof_ok` and the account is real.
  Result<store::Account> scram_outcome(const ScramLookup& lookup, std::string_view client_ip,
                                       bool proof_ok);

  Result<store::Account> create_account(std::string_view name, std::string_view password);
  Status set_password(std::string_view name, std::string_view password);
  Status delete_account(std::string_view name);
  Result<store::Account> find_account(std::string_view name);

 private:
  const std::string& dummy_hash();
  Status check_throttle(const std::string& account, std::string_view client_ip);
  Result<store::Account> record(const std::string& account, std::string_view client_ip,
                                Result<store::Account> found, bool verified);
  Result<std::string> store_scram(store::AccountId id, std::string_view password);

  store::Store& store_;
  const Clock& clock_;
  DirectoryOptions options_;
  VerifiedCache cache_;  // passwords that verified lately: one argon2 per TTL, not per login
  LoginThrottle throttle_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  std::string scram_secret_;  // salts made-up SCRAM credentials, so they look stable per name
};

}  // namespace roost::auth
