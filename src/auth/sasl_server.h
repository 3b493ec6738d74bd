// The server side of the SASL mechanisms every protocol offers (IMAP AUTHENTICATE, POP3 AUTH,
// later SMTP AUTH): PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and SCRAM-SHA-256
// (RFC 5802, RFC 7677). The exchange's steps and checks live here once; the protocol supplies how
// a challenge goes over its wire and words the outcome in its own replies.
//
//   auto outcome = co_await auth::run_sasl(request, directory, blocking, challenge);
//   if (outcome.account) ... logged in ... else switch (outcome.failure.step) ...
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/directory.h"
#include "base/result.h"
#include "net/blocking_executor.h"
#include "store/types.h"

namespace roost::auth {

// The mechanisms run_sasl knows, in the order servers advertise them.
inline constexpr std::string_view kSaslMechanisms[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
bool is_sasl_mechanism(std::string_view upper_case_name);

// One step over the protocol's wire: sends "+ <base64>" (or its equivalent) and returns the
// client's decoded answer. Errors end the exchange as SaslStep::Exchange: Io when the connection
// is gone, Syntax when the client cancelled or sent something that is not BASE64.
using SaslChallenge =
    std::function<boost::asio::awaitable<Result<std::string>>(std::string_view base64)>;

struct SaslRequest {
  std::string mechanism;                        // one of kSaslMechanisms, upper case
  std::optional<std::string> initial_response;  // decoded (RFC 4959 SASL-IR, RFC 5034 §4)
  std::string peer_ip;                          // for the login throttle
};

enum class SaslStep {
  Exchange,      // the challenge function failed: `error` is its error
  Malformed,     // a client message broke the mechanism's syntax: `error.text` says how
  Unsupported,   // the client asked for what is not offered (channel binding): `error.text`
  AuthzRefused,  // an authorization identity other than the login name ("act as another user")
  Login,         // the directory refused: `error` as Directory returns it (NoPerm, Limit, ...)
  NotEmpty,      // SCRAM: the client answered server-final with data instead of an empty line
};

struct SaslFailure {
  SaslStep step = SaslStep::Exchange;
  Error error;
  std::string user;  // the login name when it was known, for the protocol's log event
};

struct SaslOutcome {
  std::optional<store::Account> account;  // set on success
  SaslFailure failure;                    // otherwise
};

// A client's base64 SASL line (POP3 RFC 5034 §4, SMTP RFC 4954 §4): "=" or nothing is an empty
// response; bad base64 is Syntax "Invalid BASE64 in the SASL response".
Result<std::string> decode_sasl_response(std::string_view text);

// Runs the whole exchange. Directory calls (argon2, the throttle, the store) go to `blocking`
// (the servers pass their password-hashing pool).
boost::asio::awaitable<SaslOutcome> run_sasl(const SaslRequest& request, Directory& directory,
                                             net::BlockingExecutor& blocking,
                                             const SaslChallenge& challenge);

}  // namespace roost::auth
