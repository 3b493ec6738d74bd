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
#include "queue/queue_store.h"

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
  // Delivered to a server that offers DSN (RFC 3461) and got the request: reports about this
  // recipient are its business from now on.
  bool remote_reports = false;
};

// The DSN request passed on to a server that offers DSN (RFC 3461 §5.2.2.1).
struct DsnRequest {
  Return ret = Return::Unspecified;
  std::string envid;
  std::vector<uint8_t> notify;     // per recipient, in order; empty = none given
  std::vector<std::string> orcpt;  // per recipient, in order; empty = none given
};

// One outcome per recipient, in order. A message with 8-bit octets goes only to a server that
// offers 8BITMIME (RFC 6152 §3: Roost does not convert, so the others refuse it for good).
boost::asio::awaitable<std::vector<RecipientOutcome>> send_to_domain(
    net::BlockingExecutor& blocking, mailauth::Resolver& resolver, std::string domain,
    std::string sender, std::vector<std::string> recipients, const std::string& message,
    const RemoteOptions& options, const DsnRequest& dsn = {});

// The message as DATA sends it: lines starting with "." doubled, bare LF made CRLF, a final
// CRLF added when missing, then ".\r\n" (RFC 5321 §4.5.2).
std::string dot_stuff(std::string_view message);

}  // namespace roost::queue
