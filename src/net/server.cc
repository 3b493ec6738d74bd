#include "net/server.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <csignal>
#include <cstring>
#include <random>
#include <thread>

#include "base/log.h"
#include "net/server_state.h"

namespace roost::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// A refused client gets one short chance to read its greeting error, then is closed.
constexpr std::chrono::seconds kRefusalTimeout{10};

std::string protocol_name(Protocol p) { return std::string(to_string(p)); }

// co_spawn completion: sessions catch their own exceptions; anything here is a bug in net/.
void log_escaped(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::error("net.internal_exception", {{"what", ex.what()}});
  } catch (...) {
    log::error("net.internal_exception", {{"what", "unknown"}});
  }
}

}  // namespace

ServerState::ServerState(unsigned threads, TlsFiles tls, NetLimits limits)
    : threads_(threads ? threads : std::max(1u, std::thread::hardware_concurrency())),
      tls_files_(std::move(tls)),
      limits_(limits) {
  // TLS goes through OpenSSL's socket BIO (net/tls_channel.h), which writes with write(2): a
  // peer that went away must give EPIPE, not end the process.
  std::signal(SIGPIPE, SIG_IGN);
  for (unsigned i = 1; i < threads_; ++i) {
    workers_.push_back(std::make_unique<asio::io_context>());
    // Until shutdown, a worker with no connection waits for one instead of returning.
    idle_guards_.push_back(asio::make_work_guard(*workers_.back()));
  }
  id_prefix_ = std::random_device{}();
  for (Protocol p : kAllProtocols) {
    Labels l{{"protocol", protocol_name(p)}};
    ProtocolMetrics& m = metrics_for(p);
    m.open = &metrics_.gauge("roost_connections_open", "Connections currently open", l);
    m.accepted = &metrics_.counter("roost_connections_accepted_total", "Connections accepted", l);
    m.refused_per_ip =
        &metrics_.counter("roost_connections_refused_total", "Connections refused by a limit",
                          {{"protocol", protocol_name(p)}, {"reason", "per_ip"}});
    m.refused_total =
        &metrics_.counter("roost_connections_refused_total", "Connections refused by a limit",
                          {{"protocol", protocol_name(p)}, {"reason", "total"}});
    m.tls_failures = &metrics_.counter("roost_tls_handshake_failures_total",
                                       "TLS handshakes that failed or timed out", l);
    m.idle_timeouts =
        &metrics_.counter("roost_idle_timeouts_total", "Reads that hit the idle timeout", l);
    m.session_errors = &metrics_.counter("roost_session_exceptions_total",
                                         "Sessions ended by an uncaught exception", l);
  }
}

std::string ServerState::next_session_id() {
  return fmt::format("{:08x}{:06x}", id_prefix_, next_id_.fetch_add(1) & 0xffffff);
}

std::shared_ptr<asio::ssl::context> ServerState::tls_context() {
  std::lock_guard lock(tls_mu_);
  return tls_;
}

Status ServerState::reload_tls() {
  auto ctx = make_server_tls_context(tls_files_);
  if (!ctx) {
    log::warn("net.tls_reload_failed", {{"error", ctx.error().describe()}});
    return ctx.error();
  }
  {
    std::lock_guard lock(tls_mu_);
    tls_ = std::move(*ctx);
  }
  log::info("net.tls_loaded", {{"cert", tls_files_.cert_path}});
  return ok();
}

Status ServerState::listen(const ListenSpec& spec) {
  std::string where = to_string(spec);
  if (!handlers_.contains(spec.protocol)) {
    return make_error(
        ErrorKind::NotFound,
        fmt::format("protocol '{}' is not available in this build yet", to_string(spec.protocol)));
  }
  if (!tls_context() && !tls_files_.cert_path.empty()) ROOST_TRY(reload_tls());
  if (is_implicit_tls(spec.protocol) && !tls_context()) {
    return make_error(ErrorKind::NotFound,
                      fmt::format("cannot listen on {}: no TLS certificate configured", where));
  }
  if (!spec.path.empty()) return listen_unix(spec);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(spec.host, ec);
  if (ec) {
    // Startup only (before run()): a blocking resolve cannot stall a session here.
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(spec.host, std::to_string(spec.port), ec);
    if (ec || results.empty()) {
      return make_error(ErrorKind::Syntax,
                        fmt::format("cannot listen on {}: unknown host '{}'", where, spec.host),
                        ec.message());
    }
    address = results.begin()->endpoint().address();
  }
  asio::generic::stream_protocol::endpoint endpoint(tcp::endpoint(address, spec.port));
  auto listener =
      std::make_shared<Listener>(Listener{spec.protocol, Acceptor(asio::make_strand(io_)), {}});
  Acceptor& acceptor = listener->acceptor;
  if (!acceptor.open(endpoint.protocol(), ec)) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return make_error(ErrorKind::Io, fmt::format("cannot listen on {}: {}", where, ec.message()));
  }
  uint16_t port = 0;
  auto local = acceptor.local_endpoint(ec);
  if (!ec && local.size() <= sizeof(sockaddr_in6)) {
    tcp::endpoint bound;
    std::memcpy(bound.data(), local.data(), local.size());
    bound.resize(local.size());
    port = bound.port();
  }
  {
    std::lock_guard lock(mu_);
    listeners_.push_back(listener);
    bound_ports_.push_back(port);
  }
  log::info("net.listen", {{"protocol", protocol_name(spec.protocol)},
                           {"address", address.to_string()},
                           {"port", std::to_string(port)}});
  asio::co_spawn(acceptor.get_executor(), accept_loop(listener), log_escaped);
  return ok();
}

Status ServerState::listen_unix(const ListenSpec& spec) {
  std::string where = to_string(spec);
  // A socket file left by a server that is gone is replaced; a live one or any other file is not.
  struct stat st {};
  if (::lstat(spec.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return make_error(ErrorKind::Io,
                        fmt::format("cannot listen on {}: the path exists and is not a socket", where));
    }
    asio::local::stream_protocol::socket probe(io_);
    boost::system::error_code probe_ec;
    probe.connect(asio::local::stream_protocol::endpoint(spec.path), probe_ec);
    if (!probe_ec) {
      return make_error(ErrorKind::Io,
                        fmt::format("cannot listen on {}: another server is listening there", where));
    }
    ::unlink(spec.path.c_str());
  }
  asio::generic::stream_protocol::endpoint endpoint(asio::local::stream_protocol::endpoint(spec.path));
  auto listener = std::make_shared<Listener>(
      Listener{spec.protocol, Acceptor(asio::make_strand(io_)), spec.path});
  Acceptor& acceptor = listener->acceptor;
  boost::system::error_code ec;
  if (!acceptor.open(endpoint.protocol(), ec)) {
    if (!acceptor.bind(endpoint, ec)) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return make_error(ErrorKind::Io, fmt::format("cannot listen on {}: {}", where, ec.message()));
  }
  // Anyone on this machine may connect, as to a loopback TCP port; the directory's permissions
  // are where an administrator narrows that (e.g. Postfix's private/ directory).
  ::chmod(spec.path.c_str(), 0666);
  {
    std::lock_guard lock(mu_);
    listeners_.push_back(listener);
    bound_ports_.push_back(0);
  }
  log::info("net.listen", {{"protocol", protocol_name(spec.protocol)}, {"path", spec.path}});
  asio::co_spawn(acceptor.get_executor(), accept_loop(listener), log_escaped);
  return ok();
}

awaitable<void> ServerState::accept_loop(std::shared_ptr<Listener> listener) {
  auto self = shared_from_this();
  while (!stopping_) {
    auto [ec, socket] =
        co_await listener->acceptor.async_accept(asio::make_strand(next_context()), kAwait);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted || !listener->acceptor.is_open()) {
        break;
      }
      // EMFILE/ENFILE and friends: back off instead of spinning, keep serving the others.
      log::warn("net.accept_failed",
                {{"protocol", protocol_name(listener->protocol)}, {"error", ec.message()}});
      asio::steady_timer pause(listener->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kAwait);
      continue;
    }
    on_accept(listener->protocol, std::move(socket));
  }
}

asio::io_context& ServerState::next_context() {
  unsigned n = next_context_.fetch_add(1, std::memory_order_relaxed) % threads_;
  return n == 0 ? io_ : *workers_[n - 1];
}

void ServerState::on_accept(Protocol protocol, Connection::Socket socket) {
  auto conn = std::shared_ptr<Connection>(new Connection(
      shared_from_this(), std::move(socket), protocol, tls_context(), next_session_id()));
  bool counted = false;
  {
    std::lock_guard lock(mu_);
    uint32_t& per_ip = per_ip_[conn->peer_address()];
    if (open_ >= limits_.max_connections) {
      conn->refusal_ = Refusal::TotalLimit;
    } else if (per_ip >= limits_.max_connections_per_ip) {
      conn->refusal_ = Refusal::PerIpLimit;
    } else {
      ++per_ip;
      ++open_;
      live_[conn.get()] = conn;
      counted = true;
    }
    if (per_ip == 0) per_ip_.erase(conn->peer_address());
  }
  asio::co_spawn(conn->timer_.get_executor(), run_session(conn, counted), log_escaped);
}

awaitable<void> ServerState::run_session(std::shared_ptr<Connection> conn, bool counted) {
  Protocol protocol = conn->protocol();
  ProtocolMetrics& m = metrics_for(protocol);
  auto started = std::chrono::steady_clock::now();
  std::string outcome = "ended";
  asio::co_spawn(conn->timer_.get_executor(), conn->watchdog(), log_escaped);

  if (!counted) {
    (conn->refusal_ == Refusal::PerIpLimit ? m.refused_per_ip : m.refused_total)->inc();
    log::warn("net.refused",
              {{"session", conn->session_id()},
               {"protocol", protocol_name(protocol)},
               {"peer", conn->peer()},
               {"reason", conn->refusal_ == Refusal::PerIpLimit ? "max_connections_per_ip"
                                                                : "max_connections"}});
    auto it = refusal_handlers_.find(protocol);
    if (it != refusal_handlers_.end() && !is_implicit_tls(protocol)) {
      conn->set_idle_timeout(std::min(conn->idle_timeout(), kRefusalTimeout));
      SessionHandler handler = it->second;
      try {
        co_await handler(*conn);
        co_await conn->flush();
      } catch (...) {
      }
    }
    conn->close_now();
    co_return;
  }

  m.accepted->inc();
  m.open->inc();
  log::info("net.accepted", {{"session", conn->session_id()},
                             {"protocol", protocol_name(protocol)},
                             {"peer", conn->peer()}});
  SessionHandler handler = handlers_.at(protocol);
  try {
    bool ready = true;
    if (is_implicit_tls(protocol)) {
      // RFC 8314 §3.2: implicit TLS negotiates before any protocol byte.
      Status st = co_await conn->handshake(limits_.tls_handshake_timeout);
      if (!st) {
        ready = false;
        outcome = "tls_failed";
      }
    }
    if (ready) {
      co_await handler(*conn);
      Status st = co_await conn->flush();
      if (!st) outcome = "flush_failed";
    }
  } catch (const std::exception& e) {
    m.session_errors->inc();
    outcome = "exception";
    log::error("net.session_exception", {{"session", conn->session_id()},
                                         {"protocol", protocol_name(protocol)},
                                         {"peer", conn->peer()},
                                         {"what", e.what()}});
  } catch (...) {
    m.session_errors->inc();
    outcome = "exception";
    log::error("net.session_exception", {{"session", conn->session_id()},
                                         {"protocol", protocol_name(protocol)},
                                         {"peer", conn->peer()},
                                         {"what", "unknown"}});
  }
  if (conn->timed_out_ && outcome == "ended") outcome = "idle_timeout";
  conn->close_now();
  {
    std::lock_guard lock(mu_);
    auto it = per_ip_.find(conn->peer_address());
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
    --open_;
    live_.erase(conn.get());
  }
  m.open->dec();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  log::info("net.closed", {{"session", conn->session_id()},
                           {"protocol", protocol_name(protocol)},
                           {"peer", conn->peer()},
                           {"outcome", outcome},
                           {"tls", conn->is_tls() ? "yes" : "no"},
                           {"duration_ms", std::to_string(ms)}});
}

void ServerState::handle_signals() {
  signals_.emplace(asio::make_strand(io_), SIGINT, SIGTERM, SIGHUP);
  asio::co_spawn(signals_->get_executor(), signal_loop(), log_escaped);
}

awaitable<void> ServerState::signal_loop() {
  auto self = shared_from_this();
  while (signals_) {
    auto [ec, signo] = co_await signals_->async_wait(kAwait);
    if (ec) break;
    if (signo == SIGHUP) {
      log::info("net.signal", {{"signal", "SIGHUP"}, {"action", "reload_tls"}});
      (void)reload_tls();
      continue;
    }
    log::info("net.signal",
              {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}, {"action", "shutdown"}});
    shutdown();
    break;
  }
}

void ServerState::run() {
  std::vector<std::thread> pool;
  for (auto& worker : workers_) pool.emplace_back([ctx = worker.get()] { ctx->run(); });
  io_.run();
  for (auto& t : pool) t.join();
}

void ServerState::shutdown() {
  if (stopping_.exchange(true)) return;
  asio::co_spawn(io_, drain(), log_escaped);
}

awaitable<void> ServerState::drain() {
  auto self = shared_from_this();
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (auto& l : listeners) {
    // The socket file goes at once: nobody new can reach the closing listener through it.
    if (!l->path.empty()) ::unlink(l->path.c_str());
    asio::post(l->acceptor.get_executor(), [l] {
      boost::system::error_code ec;
      l->acceptor.close(ec);
    });
  }
  if (signals_) {
    asio::post(signals_->get_executor(), [this] {
      boost::system::error_code ec;
      signals_->cancel(ec);
    });
  }
  log::info("net.shutdown", {{"open", std::to_string(open_connections())},
                             {"grace_s", std::to_string(limits_.shutdown_grace.count())}});
  // Sessions see Connection::server_stopping() and finish; poll rather than track each one.
  auto deadline = std::chrono::steady_clock::now() + limits_.shutdown_grace;
  asio::steady_timer tick(io_);
  while (open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(25));
    co_await tick.async_wait(kAwait);
  }
  std::vector<std::shared_ptr<Connection>> rest;
  {
    std::lock_guard lock(mu_);
    for (auto& [ptr, weak] : live_) {
      if (auto c = weak.lock()) rest.push_back(std::move(c));
    }
  }
  if (!rest.empty()) log::warn("net.shutdown_forced", {{"closed", std::to_string(rest.size())}});
  for (auto& c : rest) c->close_soon();
  // The workers return from run() once their last session has finished closing.
  for (auto& guard : idle_guards_) guard.reset();
}

size_t ServerState::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

// --- Server: the public face ---

Server::Server(unsigned threads, TlsFiles tls, NetLimits limits)
    : state_(std::make_shared<ServerState>(threads, std::move(tls), limits)) {}

Server::~Server() = default;

void Server::set_handler(Protocol protocol, SessionHandler handler) {
  state_->handlers_[protocol] = std::move(handler);
}

void Server::set_refusal_handler(Protocol protocol, SessionHandler handler) {
  state_->refusal_handlers_[protocol] = std::move(handler);
}

Status Server::listen(const ListenSpec& spec) { return state_->listen(spec); }

uint16_t Server::bound_port(size_t index) const {
  std::lock_guard lock(state_->mu_);
  return index < state_->bound_ports_.size() ? state_->bound_ports_[index] : 0;
}

void Server::handle_signals() { state_->handle_signals(); }
void Server::run() { state_->run(); }
void Server::shutdown() { state_->shutdown(); }
Status Server::reload_tls() { return state_->reload_tls(); }
MetricsRegistry& Server::metrics() { return state_->metrics_; }
const NetLimits& Server::limits() const { return state_->limits_; }
size_t Server::open_connections() const { return state_->open_connections(); }

}  // namespace roost::net
