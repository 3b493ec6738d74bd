// Directory: accounts and their passwords over store::Store. The one place that checks
// a password, so every protocol (IMAP LOGIN/AUTHENTICATE, POP3, SMTP AUTH) gets the
// same throttling and the same answers.
//
// Thread-safe. Calls block (argon2 takes ~20 ms, the store touches disk): call them
// from a worker thread, never from an I/O thread.
// Errors: NoPerm "authentication failed" for an unknown account or a wrong password
// (the same text and similar timing, so names cannot be probed); Limit when throttled;
// Syntax for a bad name or password on create; store errors otherwise.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "auth/login_throttle.h"
#include "auth/password_hash.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace roost::auth {

struct DirectoryOptions {
  HashOptions hash;
  ThrottleOptions throttle;
};

class Directory {
 public:
  Directory(store::Store& store, const Clock& clock, DirectoryOptions options = {});

  Result<store::Account> authenticate(std::string_view name, std::string_view password,
                                      std::string_view client_ip);

  Result<store::Account> create_account(std::string_view name, std::string_view password);
  Status set_password(std::string_view name, std::string_view password);
  Status delete_account(std::string_view name);
  Result<store::Account> find_account(std::string_view name);

 private:
  const std::string& dummy_hash();

  store::Store& store_;
  DirectoryOptions options_;
  LoginThrottle throttle_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace roost::auth
