#include "net/tls_channel.h"

#include <openssl/err.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <stdexcept>

namespace roost::net {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

TlsChannel::TlsChannel(SSL_CTX* ctx, Socket& socket) : ssl_(SSL_new(ctx)), socket_(socket) {
  if (!ssl_) throw std::runtime_error("SSL_new failed");
  // Partial writes and a moving buffer: write() resumes with what is left after a wait.
  // RELEASE_BUFFERS: no 17 KiB read or write record buffer while nothing is in flight.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                         SSL_MODE_RELEASE_BUFFERS);
  error_code ec;
  socket_.non_blocking(true, ec);
  // A socket BIO that does not close the descriptor: Asio owns it.
  if (SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle())) != 1) {
    SSL_free(ssl_);
    throw std::runtime_error("SSL_set_fd failed");
  }
  SSL_set_accept_state(ssl_);
}

TlsChannel::~TlsChannel() { SSL_free(ssl_); }

TlsChannel::Next TlsChannel::classify(int ok, error_code& ec) {
  if (ok == 1) return Next::Done;
  int err = SSL_get_error(ssl_, ok);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Next::WaitRead;
    case SSL_ERROR_WANT_WRITE:
      return Next::WaitWrite;
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      ec = asio::error::eof;
      return Next::Fail;
    case SSL_ERROR_SYSCALL: {
      int sys = errno;
      unsigned long queued = ERR_get_error();
      if (queued != 0) {
        ec = error_code(static_cast<int>(queued), asio::error::get_ssl_category());
      } else if (sys != 0 && sys != EAGAIN) {
        ec = error_code(sys, asio::error::get_system_category());
      } else {
        ec = asio::ssl::error::stream_truncated;  // EOF without close_notify
      }
      return Next::Fail;
    }
    default: {
      unsigned long queued = ERR_get_error();
      if (ERR_GET_LIB(queued) == ERR_LIB_SSL &&
          ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ec = asio::ssl::error::stream_truncated;
      } else {
        ec = error_code(static_cast<int>(queued), asio::error::get_ssl_category());
      }
      return Next::Fail;
    }
  }
}

awaitable<error_code> TlsChannel::wait(Next next) {
  auto [ec] =
      co_await socket_.async_wait(next == Next::WaitRead ? Socket::wait_read : Socket::wait_write,
                                  asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

awaitable<error_code> TlsChannel::handshake() {
  while (true) {
    if (!socket_.is_open()) co_return asio::error::operation_aborted;
    // SSL_get_error reads this thread's error queue and errno; coroutines change threads.
    ERR_clear_error();
    errno = 0;
    error_code ec;
    Next next = classify(SSL_do_handshake(ssl_), ec);
    if (next == Next::Done) co_return error_code{};
    if (next == Next::Fail) co_return ec;
    if ((ec = co_await wait(next))) co_return ec;
  }
}

awaitable<std::pair<error_code, size_t>> TlsChannel::read_some(char* (*buffer)(), size_t size) {
  while (true) {
    if (!socket_.is_open()) co_return std::pair{error_code(asio::error::operation_aborted), 0};
    ERR_clear_error();
    errno = 0;
    size_t n = 0;
    error_code ec;
    Next next = classify(SSL_read_ex(ssl_, buffer(), size, &n), ec);
    if (next == Next::Done) co_return std::pair{error_code{}, n};
    if (next == Next::Fail) co_return std::pair{ec, size_t{0}};
    if ((ec = co_await wait(next))) co_return std::pair{ec, size_t{0}};
  }
}

awaitable<error_code> TlsChannel::write(std::string_view bytes) {
  while (!bytes.empty()) {
    if (!socket_.is_open()) co_return asio::error::operation_aborted;
    ERR_clear_error();
    errno = 0;
    size_t n = 0;
    error_code ec;
    Next next = classify(SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n), ec);
    if (next == Next::Done) {
      bytes.remove_prefix(n);
      continue;
    }
    if (next == Next::Fail) co_return ec;
    if ((ec = co_await wait(next))) co_return ec;
  }
  co_return error_code{};
}

}  // namespace roost::net
