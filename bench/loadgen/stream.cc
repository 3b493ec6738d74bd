#include "stream.h"

#include <netinet/in.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <stdexcept>

namespace roost::bench {
namespace {

constexpr size_t kInitialBuffer = 4096;
constexpr size_t kLiteralBuffer = 64 * 1024;
constexpr size_t kMaxLine = 64 * 1024 * 1024;  // a server line longer than this is an error

}  // namespace

Stream::Stream(asio::any_io_executor ex, asio::ssl::context* tls) {
  if (tls != nullptr) {
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(ex, *tls);
  } else {
    tcp_.emplace(ex);
  }
}

tcp::socket& Stream::socket() { return tls_ ? tls_->next_layer() : *tcp_; }

bool Stream::is_open() const { return tls_ ? tls_->next_layer().is_open() : tcp_->is_open(); }

void Stream::close() {
  boost::system::error_code ec;
  socket().close(ec);
}

Task<void> Stream::connect(const tcp::endpoint& server,
                           const std::optional<asio::ip::address>& source) {
  tcp::socket& s = socket();
  s.open(server.protocol());
  if (source) {
    // Let connect() choose the port per 4-tuple, so one source address is not limited to one
    // ephemeral port range shared by all servers.
    int one = 1;
    ::setsockopt(s.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    s.bind(tcp::endpoint(*source, 0));
  }
  co_await s.async_connect(server, asio::use_awaitable);
  s.set_option(tcp::no_delay(true));
  if (tls_) co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
}

Task<size_t> Stream::read_some(asio::mutable_buffer b) {
  size_t n = tls_ ? co_await tls_->async_read_some(b, asio::use_awaitable)
                  : co_await tcp_->async_read_some(b, asio::use_awaitable);
  bytes_in_ += n;
  co_return n;
}

void Stream::make_room() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0 && end_ == buf_.size()) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    if (buf_.size() >= kMaxLine) throw std::runtime_error("server line too long");
    buf_.resize(std::max(kInitialBuffer, buf_.size() * 2));
  }
}

bool Stream::take_line(std::string_view& line) {
  const char* from = buf_.data() + begin_ + scanned_;
  const void* lf =
      end_ > begin_ + scanned_ ? std::memchr(from, '\n', end_ - begin_ - scanned_) : nullptr;
  if (lf == nullptr) {
    scanned_ = end_ - begin_;
    return false;
  }
  size_t at = static_cast<const char*>(lf) - buf_.data();
  line = std::string_view(buf_.data() + begin_, at - begin_);
  begin_ = at + 1;
  scanned_ = 0;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

Task<void> Stream::fill(size_t min_buffer) {
  if (buf_.size() < min_buffer) buf_.resize(min_buffer);
  make_room();  // may move the unread bytes to the front; `scanned_` is relative to begin_
  end_ += co_await read_some(asio::buffer(buf_.data() + end_, buf_.size() - end_));
}

Task<std::string_view> Stream::read_line() {
  std::string_view line;
  while (!take_line(line)) co_await fill();
  co_return line;
}

Task<void> Stream::read_exact(size_t n, std::string* out) {
  scanned_ = 0;
  while (n > 0) {
    if (begin_ == end_) {
      begin_ = end_ = 0;
      if (buf_.size() < kLiteralBuffer && n > buf_.size()) buf_.resize(kLiteralBuffer);
      if (buf_.empty()) buf_.resize(kInitialBuffer);
      end_ = co_await read_some(asio::buffer(buf_.data(), buf_.size()));
    }
    size_t take = std::min(n, end_ - begin_);
    if (out != nullptr) out->append(buf_.data() + begin_, take);
    begin_ += take;
    n -= take;
  }
}

Task<void> Stream::write(std::string_view data) { co_await write(data, {}, {}); }

Task<void> Stream::write(std::string_view a, std::string_view b, std::string_view c) {
  std::array<asio::const_buffer, 3> bufs{asio::buffer(a), asio::buffer(b), asio::buffer(c)};
  size_t n = tls_ ? co_await asio::async_write(*tls_, bufs, asio::use_awaitable)
                  : co_await asio::async_write(*tcp_, bufs, asio::use_awaitable);
  bytes_out_ += n;
}

std::vector<asio::ip::address> parse_source_addresses(const std::string& spec) {
  std::vector<asio::ip::address> out;
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string item =
        spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? spec.size() : comma + 1;
    if (item.empty()) continue;
    size_t dash = item.find('-');
    if (dash == std::string::npos) {
      out.push_back(asio::ip::make_address(item));
      continue;
    }
    auto first = asio::ip::make_address_v4(item.substr(0, dash)).to_uint();
    auto last = asio::ip::make_address_v4(item.substr(dash + 1)).to_uint();
    if (last < first || last - first > 65536) throw std::invalid_argument("bad range " + item);
    for (auto a = first; a <= last; ++a) out.push_back(asio::ip::address_v4(a));
  }
  return out;
}

Target::Target(const std::string& host, uint16_t port, bool tls, const std::string& sources)
    : endpoint_(asio::ip::make_address(host), port), sources_(parse_source_addresses(sources)) {
  if (tls) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    tls_->set_verify_mode(asio::ssl::verify_none);  // loopback, self-signed server certificates
    // Idle connections give their TLS record buffers back: 20,000 idlers stay affordable.
    SSL_CTX_set_mode(tls_->native_handle(), SSL_MODE_RELEASE_BUFFERS);
  }
}

Task<std::unique_ptr<Stream>> Target::connect(asio::any_io_executor ex, size_t index) {
  auto stream = std::make_unique<Stream>(ex, tls_.get());
  std::optional<asio::ip::address> source;
  if (!sources_.empty()) source = sources_[index % sources_.size()];
  co_await stream->connect(endpoint_, source);
  co_return stream;
}

}  // namespace roost::bench
