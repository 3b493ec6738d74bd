// Test-only: a blocking Asio client (plain, STARTTLS or implicit TLS) and a Server runner for
// net/ and http/ tests. Not linked into the product.
#pragma once

#include <openssl/ssl.h>
#include <zlib.h>

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

  // Whatever is buffered, else what one read brings; "" when the connection ended.
  std::string some() {
    if (buf_.size() == 0) {
      boost::system::error_code ec;
      auto space = buf_.prepare(64 * 1024);
      size_t n = tls_ ? stream_->read_some(space, ec) : stream_->next_layer().read_some(space, ec);
      if (ec) return {};
      buf_.commit(n);
    }
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

// The client side of RFC 4978 DEFLATE, straight on zlib (independent of net/deflate_codec.h):
// compresses what the client sends (sync flush by default) and inflates what the server sends.
class DeflatePeer {
 public:
  DeflatePeer() {
    deflateInit2(&out_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    inflateInit2(&in_, -15);
  }
  ~DeflatePeer() {
    deflateEnd(&out_);
    inflateEnd(&in_);
  }
  DeflatePeer(const DeflatePeer&) = delete;
  DeflatePeer& operator=(const DeflatePeer&) = delete;

  std::string compress(std::string_view text, int flush = Z_SYNC_FLUSH) {
    std::string out;
    out_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    out_.avail_in = static_cast<uInt>(text.size());
    char buf[16384];
    do {
      out_.next_out = reinterpret_cast<Bytef*>(buf);
      out_.avail_out = sizeof buf;
      deflate(&out_, flush);
      out.append(buf, sizeof buf - out_.avail_out);
    } while (out_.avail_out == 0 || out_.avail_in > 0);
    return out;
  }

  // Appends the plain text of `data` to `plain`; false on corrupt data.
  bool decompress(std::string_view data, std::string& plain) {
    in_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    in_.avail_in = static_cast<uInt>(data.size());
    char buf[16384];
    do {
      in_.next_out = reinterpret_cast<Bytef*>(buf);
      in_.avail_out = sizeof buf;
      int rc = inflate(&in_, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
      plain.append(buf, sizeof buf - in_.avail_out);
    } while (in_.avail_out == 0 || in_.avail_in > 0);
    return true;
  }

  // The next line the server sent compressed, without CRLF; "<eof>" when the connection ended,
  // "<corrupt>" when its stream is not DEFLATE.
  std::string line(TestClient& client) {
    while (plain_.find('\n') == std::string::npos) {
      std::string data = client.some();
      if (data.empty()) return "<eof>";
      if (!decompress(data, plain_)) return "<corrupt>";
    }
    size_t lf = plain_.find('\n');
    std::string s = plain_.substr(0, lf);
    plain_.erase(0, lf + 1);
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
  }

 private:
  z_stream out_{};
  z_stream in_{};
  std::string plain_;
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
