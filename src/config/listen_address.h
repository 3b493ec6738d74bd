// ListenAddress: one "host:port" of one protocol, from [listen] or --listen PROTO=HOST:PORT.
// Only syntax is checked here; whether this build implements the protocol is the server's call.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::config {

// Every protocol name [listen] and --listen accept, in start-up order.
inline constexpr std::array<std::string_view, 10> kProtocols = {
    "imap", "imaps", "pop3", "pop3s", "submission", "submissions", "smtp", "lmtp", "http", "https"};

bool is_protocol(std::string_view name);
// True for protocols that start TLS at connect (imaps, pop3s, submissions, https).
bool uses_implicit_tls(std::string_view protocol);

struct ListenAddress {
  std::string protocol;
  std::string host;  // IPv4/IPv6 literal (no brackets) or a name
  uint16_t port = 0;

  std::string host_port() const;  // "127.0.0.1:8080", "[::1]:143"
  bool operator==(const ListenAddress&) const = default;
};

// "host:port" or "[v6]:port", port 1..65535. Syntax error text names the value.
Result<ListenAddress> parse_listen_address(std::string_view protocol, std::string_view value);
// "PROTO=HOST:PORT" as given to --listen.
Result<ListenAddress> parse_listen_flag(std::string_view value);

}  // namespace roost::config
