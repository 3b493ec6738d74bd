// Server: listeners, TLS (implicit and STARTTLS), per-IP/total limits, idle timeouts, graceful
// shutdown and reload. Protocol modules register a SessionHandler per Protocol; the server runs
// one coroutine per connection on its own strand, so a stalled or failing session never affects
// another. Exceptions escaping a handler are caught, logged once, and close only that connection.
// Thread safety: set_handler/listen before run(); shutdown(), reload_tls() and metrics() from any
// thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/connection.h"
#include "net/metrics.h"
#include "net/proto/protocol.h"
#include "net/tls_context.h"

namespace roost::net {

struct NetLimits {
  size_t max_line_length = 8192;                    // bytes per command line, excluding CRLF
  uint64_t max_literal_size = 64ull * 1024 * 1024;  // largest literal a session may accept
  uint32_t max_connections_per_ip = 50;
  std::chrono::seconds idle_timeout{1800};  // RFC 9051 §5.4: at least 30 minutes for IMAP
  std::chrono::seconds shutdown_grace{10};
  size_t max_connections = 100000;
  std::chrono::seconds tls_handshake_timeout{30};
};

using SessionHandler = std::function<boost::asio::awaitable<void>(Connection&)>;

// TlsFiles and ensure_self_signed_certificate() live in net/tls_context.h (included here).

class ServerState;

class Server {
 public:
  // threads = io_context threads run() starts (0 = hardware concurrency). TLS files are read
  // on the first listen() of a TLS protocol or reload_tls(); cert_path empty = no TLS.
  Server(unsigned threads, TlsFiles tls, NetLimits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registers the session for a protocol (replaces any previous one).
  void set_handler(Protocol protocol, SessionHandler handler);
  // Optional: called instead of the session handler when a connection is over a limit
  // (Connection::refusal() says which), so the protocol can send its greeting error
  // (IMAP "* BYE", POP3 "-ERR [SYS/TEMP]", SMTP 421). Without one the connection is just closed.
  // Never called for implicit-TLS protocols (no handshake is spent on refused clients).
  void set_refusal_handler(Protocol protocol, SessionHandler handler);

  // Binds and starts accepting. Errors: NotFound "protocol 'imap' is not available in this build
  // yet" when no handler is registered; Io on bind failure (address in use, bad address);
  // NotFound/Syntax when TLS files are configured but cannot be loaded, or an implicit-TLS
  // protocol is requested without them.
  Status listen(const ListenSpec& spec);
  // The local port of the n-th successful listen() (useful with port 0).
  uint16_t bound_port(size_t index) const;

  // Installs SIGTERM/SIGINT → shutdown(), SIGHUP → reload_tls(). Call before run().
  void handle_signals();

  // Runs the io_context on the configured threads; blocks until shutdown completes.
  void run();
  // Stops accepting, lets sessions finish within shutdown_grace, then closes the rest; run()
  // returns when every session has ended. Idempotent, thread-safe.
  void shutdown();

  // Re-reads cert/key for new connections; on error the old context stays in use.
  Status reload_tls();

  MetricsRegistry& metrics();
  const NetLimits& limits() const;
  size_t open_connections() const;

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace roost::net
