// Sends one message to one destination domain over SMTP (RFC 5321): MX lookup (with the
// implicit MX of §5.1 and the null MX of RFC 7505), each host's addresses in turn,
// opportunistic STARTTLS (RFC 3207; unauthenticated, as RFC 7435 allows), then one
// transaction for all of the domain's recipients.
//
// Contract: a coroutine on the caller's executor; DNS runs on `blocking`. Never throws; every
// recipient gets an outcome.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailauth/dns_resolver.h"
#include "net/blocking_executor.h"

namespace roost::queue {

struct RemoteOptions {
  std::string helo_name;  // our host name, for EHLO
  uint16_t port = 25;
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds command_timeout{300};  // RFC 5321 §4.5.3.2 suggests minutes
  boost::asio::ssl::context* tls = nullptr;    // null: never STARTTLS
};

struct RecipientOutcome {
  enum class Kind { Delivered, TempFailure, PermFailure };
  Kind kind = Kind::TempFailure;
  std::string text;  // plain words, with the remote reply when there was one
};

// One outcome per recipient, in order.
boost::asio::awaitable<std::vector<RecipientOutcome>> send_to_domain(
    net::BlockingExecutor& blocking, mailauth::Resolver& resolver, std::string domain,
    std::string sender, std::vector<std::string> recipients, const std::string& message,
    const RemoteOptions& options);

// The message as DATA sends it: lines starting with "." doubled, bare LF made CRLF, a final
// CRLF added when missing, then ".\r\n" (RFC 5321 §4.5.2).
std::string dot_stuff(std::string_view message);

}  // namespace roost::queue
