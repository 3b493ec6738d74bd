#include "net/connection.h"

#include <fmt/format.h>

#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <tuple>

#include "base/log.h"
#include "net/deflate_codec.h"
#include "net/server_state.h"

namespace roost::net {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

namespace {
constexpr size_t kReadSize = 64 * 1024;
constexpr size_t kWriteHighWater = 64 * 1024;
// Buffers that grew past this during a burst are freed when the connection goes idle, so a
// session that waits for its client holds no buffer beyond a few hundred bytes. Only then: a
// stream of reads or writes reuses its buffers instead of allocating every 16 KiB.
constexpr size_t kKeepCapacity = 1024;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// One read buffer per I/O thread, not per connection: a read waits for readiness first and
// copies what it got into the framing reader (or the inflater) before it suspends again.
char* read_scratch() {
  thread_local std::array<char, kReadSize> scratch;
  return scratch.data();
}

void release_if_large(std::string& s) {
  if (s.capacity() > kKeepCapacity) std::string().swap(s);
}
}  // namespace

// RFC 4978: the client's stream and ours, for the rest of the connection.
struct Connection::Compression {
  Inflater inflater;
  Deflater deflater;
};

Connection::Connection(std::shared_ptr<ServerState> server, Socket socket, Protocol protocol,
                       std::shared_ptr<asio::ssl::context> tls_context, std::string session_id)
    : server_(std::move(server)),
      socket_(std::move(socket)),
      tls_context_(std::move(tls_context)),
      protocol_(protocol),
      session_id_(std::move(session_id)),
      reader_(ReaderLimits{.max_line_length = server_->limits_.max_line_length,
                           .max_chunk = 64 * 1024}),
      max_literal_size_(server_->limits_.max_literal_size),
      idle_timeout_(server_->limits_.idle_timeout),
      timer_(socket_.get_executor()),
      write_done_(socket_.get_executor(), std::chrono::steady_clock::time_point::max()) {
  boost::system::error_code ec;
  auto generic = socket_.remote_endpoint(ec);
  if (!ec && generic.protocol().family() == AF_UNIX) {
    peer_address_ = "local";
  } else if (!ec && generic.size() <= sizeof(sockaddr_in6)) {
    asio::ip::tcp::endpoint ep;
    std::memcpy(ep.data(), generic.data(), generic.size());
    ep.resize(generic.size());
    auto addr = ep.address();
    // Count a v4-mapped peer under its IPv4 address, so limits treat both forms alike.
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
      addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    }
    peer_address_ = addr.to_string();
    peer_port_ = ep.port();
  }
  if (peer_address_ != "local") {
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    socket_.set_option(asio::socket_base::keep_alive(true), ec);
  }
  // Reads wait for readiness, then read without blocking (read_transport()); TLS needs it too.
  socket_.non_blocking(true, ec);
}

Connection::~Connection() = default;

std::string Connection::peer() const {
  if (peer_address_.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", peer_address_, peer_port_);
  }
  return fmt::format("{}:{}", peer_address_, peer_port_);
}

bool Connection::server_stopping() const { return server_->stopping_.load(); }

Connection::Socket& Connection::socket() { return socket_; }

void Connection::arm(Direction direction, Clock::duration timeout) {
  deadlines_[direction] = Clock::now() + timeout;
  // The watchdog only wakes early when the deadline moves closer; later deadlines are
  // picked up when the current wait expires.
  if (deadline() < timer_.expiry()) timer_.expires_at(deadline());
}

void Connection::disarm(Direction direction) { deadlines_[direction] = Clock::time_point::max(); }

Clock::time_point Connection::deadline() const {
  return std::min(deadlines_[kRead], deadlines_[kWrite]);
}

awaitable<void> Connection::watchdog() {
  auto self = shared_from_this();
  timer_.expires_at(deadline());
  while (!closed_) {
    co_await timer_.async_wait(kAwait);
    if (closed_) break;
    if (Clock::now() >= deadline()) {
      timed_out_ = true;
      disarm(kRead);
      disarm(kWrite);
      boost::system::error_code ec;
      socket().cancel(ec);  // the pending read or write fails; the session decides what to say
    }
    timer_.expires_at(deadline());
  }
}

Error Connection::transport_error(const boost::system::error_code& ec) const {
  if (timed_out_ && ec == asio::error::operation_aborted) {
    return make_error(ErrorKind::Limit, "idle timeout", ec.message());
  }
  if (closed_) return make_error(ErrorKind::Io, "connection closed", "closed by server");
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return make_error(ErrorKind::Io, "connection closed", "closed by peer");
  }
  return make_error(ErrorKind::Io, "connection failed", ec.message());
}

awaitable<Result<std::string_view>> Connection::read_transport() {
  arm(kRead, idle_timeout_);
  reading_ = true;
  boost::system::error_code ec;
  size_t n = 0;
  if (tls_) {
    std::tie(ec, n) = co_await tls_->read_some(&read_scratch, kReadSize);
  } else {
    while (true) {
      n = socket_.read_some(asio::buffer(read_scratch(), kReadSize), ec);
      if (ec != asio::error::would_block && ec != asio::error::try_again) break;
      std::tie(ec) = co_await socket_.async_wait(Socket::wait_read, kAwait);
      if (ec) break;
    }
  }
  reading_ = false;
  disarm(kRead);
  if (ec) {
    if (timed_out_) server_->metrics_for(protocol_).idle_timeouts->inc();
    co_return transport_error(ec);
  }
  // The scratch buffer of the thread we resumed on, filled after the last suspension.
  co_return std::string_view(read_scratch(), n);
}

awaitable<boost::system::error_code> Connection::write_transport(std::string_view bytes) {
  boost::system::error_code ec;
  if (tls_) {
    ec = co_await tls_->write(bytes);
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(bytes), kAwait);
  }
  co_return ec;
}

awaitable<Status> Connection::fill() {
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed", "closed by server");
  if (timed_out_) co_return make_error(ErrorKind::Limit, "idle timeout");
  boost::system::error_code probe;
  if (socket_.available(probe) == 0 && (!compression_ || !compression_->inflater.has_pending())) {
    // About to wait for the client: nothing of the last burst stays allocated.
    if (reader_.capacity() > kKeepCapacity) reader_.release_consumed();
    release_if_large(out_);
  }
  if (!compression_) {
    auto got = co_await read_transport();
    if (!got) co_return got.error();
    reader_.feed(*got);
    co_return ok();
  }
  while (true) {
    // At most kReadSize inflated bytes per fill: a decompression bomb meets the reader's line
    // and literal limits piece by piece and is never expanded into an unbounded buffer.
    char* inflated = read_scratch();
    auto n = compression_->inflater.inflate(inflated, kReadSize);
    if (!n) {
      log::info("net.compression_error", {{"session", session_id_},
                                          {"protocol", std::string(to_string(protocol_))},
                                          {"peer", peer()},
                                          {"error", n.error().text}});
      co_return n.error();
    }
    if (*n > 0) {
      reader_.feed(std::string_view(inflated, *n));
      co_return ok();
    }
    boost::system::error_code ec;
    if (socket().available(ec) == 0) {
      // About to wait for the client: keep only what an idle stream needs (deflate_codec.h).
      compression_->inflater.hibernate();
      if (!writing_) compression_->deflater.release();
    }
    auto got = co_await read_transport();
    if (!got) co_return got.error();
    compression_->inflater.feed(*got);
  }
}

awaitable<Result<LineEvent>> Connection::read_line() {
  if (reader_.in_literal()) {
    co_return make_error(ErrorKind::Internal, "read_line() inside a literal");
  }
  if (!reader_.has_buffered()) {
    Status st = co_await flush();
    if (!st) co_return st.error();
  }
  while (true) {
    ReadEvent ev = reader_.next();
    if (ev.kind == ReadKind::Line) co_return LineEvent{std::string(ev.data), false};
    if (ev.kind == ReadKind::TooLong) co_return LineEvent{{}, true};
    if (ev.kind != ReadKind::NeedMore) {
      co_return make_error(ErrorKind::Internal, "unexpected literal event in line mode");
    }
    Status st = co_await flush();
    if (st) st = co_await fill();
    if (!st) co_return st.error();
  }
}

Status Connection::begin_literal(uint64_t size) {
  if (size > max_literal_size_) {
    return make_error(ErrorKind::TooBig, fmt::format("literal of {} bytes exceeds the limit of {}",
                                                     size, max_literal_size_));
  }
  return reader_.expect_literal(size);
}

awaitable<Result<std::string_view>> Connection::read_literal_chunk() {
  if (!reader_.in_literal()) {
    co_return make_error(ErrorKind::Internal, "read_literal_chunk() outside a literal");
  }
  while (true) {
    ReadEvent ev = reader_.next();
    if (ev.kind == ReadKind::LiteralChunk) co_return ev.data;
    if (ev.kind == ReadKind::LiteralEnd) co_return std::string_view{};
    // RFC 9051 §7.5: a synchronizing literal's "+" continuation must reach the client first.
    Status st = co_await flush();
    if (st) st = co_await fill();
    if (!st) co_return st.error();
  }
}

awaitable<Result<std::string_view>> Connection::read_some() {
  if (reader_.has_buffered()) {
    raw_ = reader_.take_buffered();
    co_return std::string_view(raw_);
  }
  Status st = co_await flush();
  if (st) st = co_await fill();
  if (!st) co_return st.error();
  raw_ = reader_.take_buffered();
  co_return std::string_view(raw_);
}

awaitable<Status> Connection::write(std::string_view bytes) {
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed", "closed by server");
  out_.append(bytes);
  if (out_.size() >= kWriteHighWater) co_return co_await flush();
  co_return ok();
}

void append_taking(std::string& out, std::string& bytes) {
  if (out.empty()) {
    out.swap(bytes);
  } else {
    out.append(bytes);
  }
  bytes.clear();
}

awaitable<Status> Connection::write_taking(std::string& bytes) {
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed", "closed by server");
  append_taking(out_, bytes);
  if (out_.size() >= kWriteHighWater) co_return co_await flush();
  co_return ok();
}

awaitable<Status> Connection::flush() {
  // Another coroutine of this session may be sending (a push while the command loop answers):
  // wait for it, so that writes never overlap on the socket, then send what is left.
  while (writing_) co_await write_done_.async_wait(kAwait);
  if (out_.empty()) co_return ok();
  if (closed_) co_return make_error(ErrorKind::Io, "connection closed", "closed by server");
  arm(kWrite, idle_timeout_);
  writing_ = true;
  // What is appended while this sends stays in out_ for the next flush (it used to be cleared
  // with the bytes sent, and was lost).
  std::string sending;
  sending.swap(out_);
  boost::system::error_code ec;
  Status st = ok();
  if (compression_) {
    // RFC 4978 §4: the output ends with a sync flush, so nothing waits in the compressor.
    Deflater& deflater = compression_->deflater;
    st = deflater.start(sending);
    while (st && !ec) {
      auto piece = deflater.next();
      if (!piece) st = piece.error();
      if (!piece || piece->empty()) break;
      ec = co_await write_transport(*piece);
    }
    // Nobody is writing while the client is awaited: a new compressor continues the stream.
    if (reading_ || ec || !st) deflater.release();
  } else {
    ec = co_await write_transport(sending);
  }
  writing_ = false;
  write_done_.cancel();
  disarm(kWrite);
  if (out_.empty()) {
    sending.clear();
    out_.swap(sending);  // keeps the buffer's capacity for the next answer
  }
  if (reading_) release_if_large(out_);  // a push while the client is awaited (IDLE)
  if (!st) {
    close_now();  // the compressed stream is broken; no byte more may go out
    co_return st;
  }
  if (ec) co_return transport_error(ec);
  co_return ok();
}

awaitable<Status> Connection::start_compression(std::string already_read) {
  if (compression_) co_return make_error(ErrorKind::NoPerm, "compression is already active");
  if (reader_.in_literal()) {
    co_return make_error(ErrorKind::NoPerm, "compression cannot start inside a literal");
  }
  Status st = co_await flush();  // RFC 4978 §3: the tagged OK itself is not compressed
  if (!st) co_return st;
  compression_ = std::make_unique<Compression>();
  // RFC 4978 §3: the client compresses from the byte after its command; what was pipelined is
  // already compressed. The protocol's parser read it first, then the framing reader.
  compression_->inflater.feed(already_read);
  compression_->inflater.feed(reader_.take_buffered());
  co_return ok();
}

awaitable<Status> Connection::start_tls() {
  if (tls_) co_return make_error(ErrorKind::NoPerm, "TLS is already active");
  if (compression_) co_return make_error(ErrorKind::NoPerm, "TLS cannot start under compression");
  if (!tls_context_) co_return make_error(ErrorKind::NoPerm, "TLS is not available");
  Status st = co_await flush();
  if (!st) co_return st;
  // RFC 3207 §4.2 / RFC 2595 §3.1 / RFC 9051 §6.2.1: pipelined plaintext is never interpreted.
  std::string injected = reader_.take_buffered();
  if (!injected.empty()) {
    log::warn("net.starttls_discarded", {{"session", session_id_},
                                         {"protocol", std::string(to_string(protocol_))},
                                         {"peer", peer()},
                                         {"bytes", std::to_string(injected.size())}});
  }
  tls_ = std::make_unique<TlsChannel>(tls_context_->native_handle(), socket_);
  co_return co_await handshake(server_->limits_.tls_handshake_timeout);
}

awaitable<Status> Connection::handshake(std::chrono::seconds timeout) {
  if (!tls_) {
    if (!tls_context_) co_return make_error(ErrorKind::NoPerm, "TLS is not available");
    tls_ = std::make_unique<TlsChannel>(tls_context_->native_handle(), socket_);
  }
  arm(kRead, timeout);
  auto ec = co_await tls_->handshake();
  disarm(kRead);
  if (ec) {
    server_->metrics_for(protocol_).tls_failures->inc();
    log::info("net.tls_handshake_failed", {{"session", session_id_},
                                           {"protocol", std::string(to_string(protocol_))},
                                           {"peer", peer()},
                                           {"error", timed_out_ ? "timeout" : ec.message()}});
    Error e = transport_error(ec);
    e.text = "TLS handshake failed";
    co_return e;
  }
  co_return ok();
}

void Connection::close_now() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket().shutdown(asio::socket_base::shutdown_both, ec);
  socket().close(ec);
  timer_.cancel();
}

void Connection::close_soon() {
  // The timer's executor is the connection strand and, unlike tls_, safe to read from any thread.
  asio::post(timer_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

}  // namespace roost::net
