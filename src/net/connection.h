// Connection: what a protocol session gets from net/. One TCP (or TLS) connection with framed,
// bounded, idle-timed reads and buffered writes. All methods must be called from the session
// coroutine (the connection's strand); close_soon() may be called from any thread.
// Errors: Io = peer closed / reset / transport failure; Limit = idle timeout ("idle timeout")
// or literal over max_literal_size (TooBig); NoPerm = STARTTLS when already TLS / not offered;
// Syntax from a read = corrupt compressed input (the connection is unusable: end the session).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/proto/line_reader.h"
#include "net/proto/protocol.h"
#include "net/tls_channel.h"

namespace roost::net {

// Appends `bytes` to `out`, taking `bytes`' buffer instead of copying it when `out` is empty (a
// big message body reaches the socket without another copy). `bytes` is left empty, possibly
// holding `out`'s previous buffer for reuse.
void append_taking(std::string& out, std::string& bytes);

class ServerState;  // internal to server.cc

// Why a connection is handed to a refusal handler instead of the session handler.
enum class Refusal { None, PerIpLimit, TotalLimit };

struct LineEvent {
  std::string line;  // without CRLF; empty when too_long
  bool too_long =
      false;  // the line exceeded max_line_length and was discarded; answer BAD/-ERR/500
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  // TCP or a Unix domain socket (ListenSpec::path).
  using Socket = boost::asio::basic_stream_socket<boost::asio::generic::stream_protocol, Executor>;

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // --- reading (each read flushes pending output first, then applies the idle timeout) ---
  boost::asio::awaitable<Result<LineEvent>> read_line();
  // Enters literal mode for `size` bytes; TooBig when size > NetLimits::max_literal_size.
  Status begin_literal(uint64_t size);
  // Next piece of the current literal (<= max_chunk bytes); an empty view means the literal
  // is complete and the connection is back in line mode. The view lives until the next read.
  boost::asio::awaitable<Result<std::string_view>> read_literal_chunk();
  // Raw bytes (whatever the framing reader holds first, then one socket read); for protocols
  // with their own framing (HTTP). The view lives until the next read.
  boost::asio::awaitable<Result<std::string_view>> read_some();

  // --- writing ---
  // Appends to the output buffer; sends when it grows past 64 KiB.
  boost::asio::awaitable<Status> write(std::string_view bytes);
  // As write(), but through append_taking(): `bytes`' buffer becomes the output's when nothing
  // else is waiting to be sent.
  boost::asio::awaitable<Status> write_taking(std::string& bytes);
  boost::asio::awaitable<Status> flush();

  // --- TLS ---
  // Server-side STARTTLS: flushes output, DISCARDS every byte the client pipelined after the
  // command (RFC 3207 §4.2, RFC 2595 §3.1, RFC 9051 §6.2.1), then runs the TLS handshake.
  // On error the connection is unusable: end the session.
  boost::asio::awaitable<Status> start_tls();
  bool is_tls() const { return tls_ != nullptr; }
  bool tls_available() const { return tls_context_ != nullptr; }  // may STARTTLS be offered?

  // --- compression (RFC 4978 COMPRESS=DEFLATE) ---
  // Flushes pending output uncompressed (the tagged OK, RFC 4978 §3), then runs raw DEFLATE in
  // both directions for the rest of the connection, above TLS when TLS is active. The client
  // compresses from the first byte after its command, so `already_read` (what the protocol's
  // parser holds past the command) and whatever the framing reader holds are inflated first.
  // Reads inflate at most 16 KiB at a time, so expanded input only ever meets the line and
  // literal limits; every flush ends with a sync flush, so no response waits in the compressor.
  // Deadlines, limits and shutdown are unchanged. Memory (net/deflate_codec.h), on top of the
  // uncompressed connection: ~40 KiB inflating and ~86 KiB deflating while a command runs; while
  // waiting for the client only ~170 bytes plus the inflate window's used bytes (what the client
  // sent since COMPRESS, at most 32 KiB: ~24 bytes after "SELECT INBOX" and "IDLE").
  // NoPerm when already active or inside a literal; Io when the flush fails.
  boost::asio::awaitable<Status> start_compression(std::string already_read = {});
  bool is_compressed() const { return compression_ != nullptr; }

  // --- identity and state ---
  const std::string& session_id() const { return session_id_; }
  Protocol protocol() const { return protocol_; }
  // "192.0.2.1" / "::1"; "local" for a Unix domain socket peer.
  const std::string& peer_address() const { return peer_address_; }
  uint16_t peer_port() const { return peer_port_; }
  std::string peer() const;  // "192.0.2.1:5555" / "[::1]:5555"
  Refusal refusal() const { return refusal_; }
  bool over_limit() const { return refusal_ != Refusal::None; }
  // True once Server::shutdown() began: say goodbye (BYE, 421) at the next chance.
  bool server_stopping() const;
  std::chrono::seconds idle_timeout() const { return idle_timeout_; }
  void set_idle_timeout(std::chrono::seconds timeout) { idle_timeout_ = timeout; }  // e.g. IDLE

  // Bytes of buffer held now by the framing reader and the output (TLS and compression state
  // come on top). While the session waits for its client this stays below ~1 KiB, whatever the
  // size of the last command or reply: buffers are freed before a read waits.
  size_t buffer_capacity() const { return reader_.capacity() + out_.capacity() + raw_.capacity(); }

  // Closes the transport; pending reads/writes fail with Io. Thread-safe.
  void close_soon();

 private:
  friend class ServerState;
  Connection(std::shared_ptr<ServerState> server, Socket socket, Protocol protocol,
             std::shared_ptr<boost::asio::ssl::context> tls_context, std::string session_id);

  boost::asio::awaitable<Status> fill();  // one socket read into the reader, with timeout
  // One socket read with the read deadline. The view points into a per-thread scratch buffer:
  // use it before the next suspension (an idle connection holds no read buffer).
  boost::asio::awaitable<Result<std::string_view>> read_transport();
  boost::asio::awaitable<boost::system::error_code> write_transport(std::string_view bytes);
  boost::asio::awaitable<Status> handshake(std::chrono::seconds timeout);
  boost::asio::awaitable<void> watchdog();
  // Reads and writes have their own deadlines, so a write from a second coroutine (an IDLE
  // push) never clears the timeout of a read that is waiting. The watchdog enforces the earlier.
  enum Direction { kRead = 0, kWrite = 1 };
  void arm(Direction direction, std::chrono::steady_clock::duration timeout);
  void disarm(Direction direction);
  std::chrono::steady_clock::time_point deadline() const;
  Error transport_error(const boost::system::error_code& ec) const;
  void close_now();
  Socket& socket();  // the TCP socket, under TLS or not

  std::shared_ptr<ServerState> server_;
  Socket socket_;
  std::unique_ptr<TlsChannel> tls_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  Protocol protocol_;
  std::string session_id_;
  std::string peer_address_;
  uint16_t peer_port_ = 0;
  Refusal refusal_ = Refusal::None;
  LineReader reader_;
  uint64_t max_literal_size_ = 0;
  std::chrono::seconds idle_timeout_;
  std::string out_;  // what write() appended and no flush() has taken yet
  std::string raw_;  // read_some() result storage
  struct Compression;
  std::unique_ptr<Compression> compression_;  // set once COMPRESS is active
  bool reading_ = false;                      // a read waits on the transport
  bool writing_ = false;                      // a flush is sending
  boost::asio::steady_timer timer_;
  // Signals the end of a flush to a flush() of another coroutine of this session that waits
  // (an IDLE pusher and the command loop both write); its expiry stays at max, cancel() wakes.
  boost::asio::steady_timer write_done_;
  std::chrono::steady_clock::time_point deadlines_[2] = {
      std::chrono::steady_clock::time_point::max(), std::chrono::steady_clock::time_point::max()};
  bool timed_out_ = false;
  bool closed_ = false;
  bool watchdog_running_ = false;
};

}  // namespace roost::net
