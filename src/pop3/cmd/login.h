// Shared by USER/PASS (cmd/authorization.cc) and AUTH (cmd/sasl.cc): checking a password through
// auth::Directory, and the answers for a failed login (RFC 3206 / RFC 2449 response codes).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "base/result.h"
#include "pop3/reply.h"
#include "store/types.h"

namespace roost::pop3 {

class Session;

// Verifies user/password on the blocking pool and opens the maildrop on success.
boost::asio::awaitable<Reply> login_with_password(Session& session, std::string_view user,
                                                  std::string_view password);
// Logs the failure; -ERR [AUTH] for bad credentials (RFC 3206 §4), [SYS/TEMP] while throttled.
Reply login_failed(Session& session, std::string_view user, const Error& error);

}  // namespace roost::pop3
