// Test-only: a blocking Asio client (plain, STARTTLS or implicit TLS) and a Server runner for
// net/ and http/ tests. Not linked into the product.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <thread>

#include "net/server.h"

namespace roost::net::testing {

// Runs a Server on a background thread; shuts it down and joins on destruction.
class ServerRunner {
 public:
  explicit ServerRunner(Server& server) : server_(server) {
    thread_ = std::thread([this] { server_.run(); });
  }
  ~ServerRunner() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_.shutdown();
    thread_.join();
  }

 private:
  Server& server_;
  std::thread thread_;
};

// A fresh temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("roost_net_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

class TestClient {
 public:
  // min/max: TLS versions the client offers (0 = library default).
  explicit TestClient(int min_tls = 0, int max_tls = 0)
      : ctx_(boost::asio::ssl::context::tls_client) {
    ctx_.set_verify_mode(boost::asio::ssl::verify_none);
    if (min_tls) SSL_CTX_set_min_proto_version(ctx_.native_handle(), min_tls);
    if (max_tls) {
      SSL_CTX_set_max_proto_version(ctx_.native_handle(), max_tls);
      // OpenSSL 3 refuses TLS < 1.2 at the default security level; let the server be the judge.
      SSL_CTX_set_security_level(ctx_.native_handle(), 0);
      SSL_CTX_set_cipher_list(ctx_.native_handle(), "ALL:@SECLEVEL=0");
    }
    stream_ = std::make_unique<Stream>(io_, ctx_);
  }

  bool connect(uint16_t port) {
    boost::system::error_code ec;
    stream_->next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
  }

  // TLS client handshake over the connected socket (implicit TLS or after STARTTLS).
  bool handshake() {
    boost::system::error_code ec;
    stream_->handshake(boost::asio::ssl::stream_base::client, ec);
    if (!ec) tls_ = true;
    return !ec;
  }

  bool send(const std::string& bytes) {
    boost::system::error_code ec;
    if (tls_)
      boost::asio::write(*stream_, boost::asio::buffer(bytes), ec);
    else
      boost::asio::write(stream_->next_layer(), boost::asio::buffer(bytes), ec);
    return !ec;
  }

  // Next line without CRLF; "<eof>" when the connection ended.
  std::string line() {
    boost::system::error_code ec;
    if (tls_)
      boost::asio::read_until(*stream_, buf_, "\n", ec);
    else
      boost::asio::read_until(stream_->next_layer(), buf_, "\n", ec);
    if (ec) return "<eof>";
    std::istream in(&buf_);
    std::string s;
    std::getline(in, s);
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
  }

  // Exactly n bytes (fewer at end of stream).
  std::string bytes(size_t n) {
    boost::system::error_code ec;
    if (buf_.size() < n) {
      auto more = boost::asio::transfer_exactly(n - buf_.size());
      if (tls_)
        boost::asio::read(*stream_, buf_, more, ec);
      else
        boost::asio::read(stream_->next_layer(), buf_, more, ec);
    }
    n = std::min(n, buf_.size());
    std::string s(boost::asio::buffers_begin(buf_.data()),
                  boost::asio::buffers_begin(buf_.data()) + static_cast<std::ptrdiff_t>(n));
    buf_.consume(n);
    return s;
  }

  // Everything until the server closes.
  std::string rest() {
    boost::system::error_code ec;
    if (tls_)
      boost::asio::read(*stream_, buf_, ec);
    else
      boost::asio::read(stream_->next_layer(), buf_, ec);
    std::string s(boost::asio::buffers_begin(buf_.data()), boost::asio::buffers_end(buf_.data()));
    buf_.consume(buf_.size());
    return s;
  }

  size_t buffered() const { return buf_.size(); }
  SSL* ssl() { return stream_->native_handle(); }
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  Stream& stream() { return *stream_; }
  boost::asio::ip::tcp::socket& socket() { return stream_->next_layer(); }
  bool is_tls() const { return tls_; }

 private:
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_;
  std::unique_ptr<Stream> stream_;
  boost::asio::streambuf buf_;
  bool tls_ = false;
};

// Polls `cond` for up to `limit`; true once it holds.
inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

}  // namespace roost::net::testing
