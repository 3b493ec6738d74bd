// TlsChannel: server-side TLS over a connected TCP socket. OpenSSL reads and writes the socket
// itself (a socket BIO on the non-blocking descriptor) and Asio only waits for readiness, so the
// channel owns no buffer of its own; with SSL_MODE_RELEASE_BUFFERS OpenSSL frees its record
// buffers whenever nothing is in flight. An idle TLS connection then costs OpenSSL's connection
// state alone (SSL object and cipher state, ~14 KiB in a heaptrack profile), where
// asio::ssl::stream keeps four 17 KiB buffers for the connection's whole life (two in
// stream_core, two in its BIO pair).
//
// OpenSSL writes with write(2), so SIGPIPE must be ignored (net::Server does so).
// Not thread-safe: call from the connection's strand. One read and one write may wait at the
// same time (OpenSSL allows a write while a read wants more input). Cancelling or closing the
// socket ends a wait with operation_aborted; the socket must outlive the channel's calls.
// Errors: asio::error::eof after the peer's close_notify, asio::ssl::error::stream_truncated when
// the peer closed without one, an ssl-category code for protocol failures, else the socket's.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>
#include <utility>

namespace roost::net {

class TlsChannel {
 public:
  using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Socket = boost::asio::basic_stream_socket<boost::asio::generic::stream_protocol, Executor>;

  // Puts the socket in non-blocking mode; `ctx` is kept alive by SSL_new's reference.
  TlsChannel(SSL_CTX* ctx, Socket& socket);
  ~TlsChannel();
  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;

  boost::asio::awaitable<boost::system::error_code> handshake();
  // Reads at most `size` decrypted bytes into buffer() once they are available. buffer() is
  // called after the last wait, on the thread that resumed, so it may return a per-thread
  // scratch buffer that the caller reads before it suspends again.
  boost::asio::awaitable<std::pair<boost::system::error_code, size_t>> read_some(char* (*buffer)(),
                                                                                 size_t size);
  // Sends every byte; `bytes` must stay valid until the call returns.
  boost::asio::awaitable<boost::system::error_code> write(std::string_view bytes);

 private:
  // What one SSL_* call result means: done, wait for the socket, or fail.
  enum class Next { Done, WaitRead, WaitWrite, Fail };
  Next classify(int ok, boost::system::error_code& ec);
  boost::asio::awaitable<boost::system::error_code> wait(Next next);

  SSL* ssl_ = nullptr;
  Socket& socket_;
};

}  // namespace roost::net
