// Stream: one client connection (TCP, or TLS from the first byte) bound to a chosen loopback
// source address, with a read buffer for line- and length-framed protocols. Not thread-safe:
// use it from the coroutines of one io_context. Errors are thrown (boost::system::system_error);
// the scenario catches them at the top of each client.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common.h"

namespace roost::bench {

class Stream {
 public:
  // tls == nullptr: plain TCP.
  Stream(asio::any_io_executor ex, asio::ssl::context* tls);

  // Connects (binding `source` first when given) and runs the TLS handshake.
  Task<void> connect(const tcp::endpoint& server, const std::optional<asio::ip::address>& source);

  // The next line without its CRLF (or LF); valid until the next read.
  Task<std::string_view> read_line();
  // A line already in the buffer, without reading: false when none is complete. Lets a caller
  // take a long multi-line reply line by line without a coroutine resumption per line (at
  // hundreds of MB/s that overhead, not the server, set the pace).
  bool take_line(std::string_view& line);
  // Reads more bytes into the buffer (after take_line found no complete line), first growing
  // it to min_buffer bytes.
  Task<void> fill(size_t min_buffer = 0);
  // Exactly n bytes, appended to *out, or discarded when out is null.
  Task<void> read_exact(size_t n, std::string* out);

  Task<void> write(std::string_view data);
  Task<void> write(std::string_view a, std::string_view b, std::string_view c);

  void close();  // idempotent; pending reads and writes fail
  bool is_open() const;
  uint64_t bytes_in() const { return bytes_in_; }
  uint64_t bytes_out() const { return bytes_out_; }

 private:
  Task<size_t> read_some(asio::mutable_buffer b);
  tcp::socket& socket();
  void make_room();

  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;
  std::optional<tcp::socket> tcp_;
  std::vector<char> buf_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last buffered byte
  size_t scanned_ = 0;  // bytes after begin_ known to hold no LF
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

// Where clients connect: the server endpoint, TLS or not, and the source addresses to spread
// connections over (one server's per-IP limits, and 64k ports per source address).
class Target {
 public:
  // sources: "" (kernel's choice), "127.0.0.2-127.0.0.9", or a comma list.
  Target(const std::string& host, uint16_t port, bool tls, const std::string& sources);

  // A new stream on `ex`, connected from source address number `index` (round robin).
  Task<std::unique_ptr<Stream>> connect(asio::any_io_executor ex, size_t index);
  bool tls() const { return tls_ != nullptr; }
  const tcp::endpoint& endpoint() const { return endpoint_; }

 private:
  tcp::endpoint endpoint_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::vector<asio::ip::address> sources_;
};

std::vector<asio::ip::address> parse_source_addresses(const std::string& spec);

}  // namespace roost::bench
