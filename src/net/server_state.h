// Internal to roost_net: the state shared by Server, its accept loops and every Connection.
// Not part of the public API; protocol modules include net/server.h only.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/server.h"

namespace roost::net {

struct ProtocolMetrics {
  Gauge* open = nullptr;
  Counter* accepted = nullptr;
  Counter* refused_per_ip = nullptr;
  Counter* refused_total = nullptr;
  Counter* tls_failures = nullptr;
  Counter* idle_timeouts = nullptr;
  Counter* session_errors = nullptr;
};

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  using Executor = Connection::Executor;
  using Acceptor =
      boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol, Executor>;

  ServerState(unsigned threads, TlsFiles tls, NetLimits limits);

  Status listen(const ListenSpec& spec);
  void handle_signals();
  void run();
  void shutdown();
  Status reload_tls();
  size_t open_connections() const;
  std::shared_ptr<boost::asio::ssl::context> tls_context();
  ProtocolMetrics& metrics_for(Protocol p) { return protocol_metrics_[static_cast<size_t>(p)]; }

  const unsigned threads_;
  const TlsFiles tls_files_;
  const NetLimits limits_;
  // One io_context per I/O thread (DESIGN: one io_context thread per core): io_ runs on the
  // thread that calls run() and holds the listeners, signals and shutdown; workers_ run one
  // thread each. A connection lives on one context for its whole life, chosen round-robin at
  // accept, so its handlers never hop threads or contend for a shared scheduler.
  boost::asio::io_context io_;
  std::vector<std::unique_ptr<boost::asio::io_context>> workers_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> idle_guards_;
  std::atomic<unsigned> next_context_{0};
  MetricsRegistry metrics_;
  std::map<Protocol, SessionHandler> handlers_;
  std::map<Protocol, SessionHandler> refusal_handlers_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;  // guards everything below
  std::vector<uint16_t> bound_ports_;
  size_t open_ = 0;  // accepted and not refused, still open
  std::unordered_map<std::string, uint32_t> per_ip_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live_;

 private:
  struct Listener {
    Protocol protocol;
    Acceptor acceptor;
    std::string path;  // a Unix socket's file, removed when the listener closes
  };

  Status listen_unix(const ListenSpec& spec);
  boost::asio::io_context& next_context();  // where the next accepted connection lives

  boost::asio::awaitable<void> accept_loop(std::shared_ptr<Listener> listener);
  void on_accept(Protocol protocol, Connection::Socket socket);
  boost::asio::awaitable<void> run_session(std::shared_ptr<Connection> conn, bool counted);
  boost::asio::awaitable<void> signal_loop();
  boost::asio::awaitable<void> drain();
  std::string next_session_id();

  std::array<ProtocolMetrics, std::size(kAllProtocols)> protocol_metrics_{};
  std::mutex tls_mu_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::shared_ptr<Listener>> listeners_;  // guarded by mu_
  std::optional<boost::asio::basic_signal_set<Executor>> signals_;
  std::atomic<uint64_t> next_id_{1};
  uint32_t id_prefix_ = 0;
};

}  // namespace roost::net
