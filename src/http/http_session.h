// The HTTP/1.1 endpoint (RFC 9112) that `roost serve` listens on for health and metrics:
// GET /healthz → 200 "ok", GET /metrics → Prometheus text, anything else 404, malformed 400.
// Runs on net::Connection (limits, idle timeout, TLS for https). Thread-safe to register once.
#pragma once

#include <chrono>
#include <cstddef>

#include "net/server.h"

namespace roost::http {

struct Options {
  size_t max_header_bytes = 16 * 1024;    // request line + fields; over → 431
  size_t max_body_bytes = 64 * 1024;      // over → 413
  std::chrono::seconds idle_timeout{60};  // between requests on a keep-alive connection
  size_t max_requests_per_connection = 1000;
};

// Registers the session for Protocol::Http and Protocol::Https on `server`; /metrics renders
// server.metrics().
void register_http(net::Server& server, Options options = {});

}  // namespace roost::http
