// Server tests with a test-only line protocol ("echo"), registered here, never in the product.
#include "net/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <stdexcept>
#include <thread>

#include "base/env.h"
#include "net/test_client.h"

namespace roost::net {
namespace {

using boost::asio::awaitable;
using testing::DeflatePeer;
using testing::eventually;
using testing::ServerRunner;
using testing::TempDir;
using testing::TestClient;

// The echo protocol: greeting, then "ECHO <line>[ tls]" per line; STARTTLS, COMPRESS, LIT n,
// THROW, QUIT.
awaitable<void> echo_session(Connection& c) {
  co_await c.write("* hello\r\n");
  while (true) {
    auto r = co_await c.read_line();
    if (!r) {
      if (r.error().kind == ErrorKind::Limit) co_await c.write("* BYE idle\r\n");
      co_return;
    }
    const std::string& line = r->line;
    if (r->too_long) {
      co_await c.write("BAD too long\r\n");
    } else if (line == "STARTTLS") {
      co_await c.write("OK begin\r\n");
      if (!(co_await c.start_tls())) co_return;
    } else if (line == "COMPRESS") {
      if (c.is_compressed()) {
        co_await c.write("NO active\r\n");
        continue;
      }
      co_await c.write("OK compress\r\n");
      if (!(co_await c.start_compression())) co_return;
    } else if (line == "MEM") {
      co_await c.write("MEM " + std::to_string(c.buffer_capacity()) + "\r\n");
    } else if (line == "QUIT") {
      co_await c.write("BYE\r\n");
      co_return;
    } else if (line == "THROW") {
      throw std::runtime_error("handler bug");
    } else if (line.starts_with("LIT ")) {
      uint64_t n = std::stoull(line.substr(4));
      if (!c.begin_literal(n)) {
        co_await c.write("NO too big\r\n");
        continue;
      }
      std::string body;
      uint64_t size = 0;
      while (true) {
        auto chunk = co_await c.read_literal_chunk();
        if (!chunk) co_return;
        if (chunk->empty()) break;
        size += chunk->size();
        for (char ch : *chunk) {
          if (ch == '\r')
            body += "\\r";
          else if (ch == '\n')
            body += "\\n";
          else
            body += ch;
        }
      }
      auto tail = co_await c.read_line();  // the rest of the command line after the literal
      if (!tail) co_return;
      co_await c.write("LIT " + std::to_string(size) + " " + body + "\r\n");
    } else {
      co_await c.write("ECHO " + line + (c.is_tls() ? " tls" : "") + "\r\n");
    }
  }
}

// Server pushes while the client stays silent (as during IMAP IDLE): writes from a second
// coroutine must not extend the idle timeout of the read that is waiting.
awaitable<void> push_ticks(Connection& c, std::shared_ptr<bool> pushing) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (int i = 0; i < 8; ++i) {
    timer.expires_after(std::chrono::milliseconds(200));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (!co_await c.write("* tick\r\n") || !co_await c.flush()) break;
  }
  *pushing = false;
}

awaitable<void> push_session(Connection& c) {
  auto pushing = std::make_shared<bool>(true);
  boost::asio::co_spawn(co_await boost::asio::this_coro::executor, push_ticks(c, pushing),
                        [](std::exception_ptr) {});
  auto r = co_await c.read_line();
  if (!r && r.error().kind == ErrorKind::Limit) co_await c.write("* BYE idle\r\n");
  if (r) co_await c.write("* got " + r->line + "\r\n");
  boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor);
  while (*pushing) {  // the pusher holds a reference to the connection
    wait.expires_after(std::chrono::milliseconds(50));
    co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

// Two coroutines write at once: a big push that the client does not read yet (its flush waits
// on the socket) and a short answer appended and flushed meanwhile. Both arrive, in order.
// (A function, not a lambda: a coroutine lambda's captures die with the lambda object.)
awaitable<void> push_big(Connection& c, std::shared_ptr<bool> pushed) {
  co_await c.write("* big " + std::string(32 << 20, 'x') + "\r\n");
  co_await c.flush();
  *pushed = true;
}

awaitable<void> overlap_session(Connection& c) {
  auto pushed = std::make_shared<bool>(false);
  boost::asio::co_spawn(co_await boost::asio::this_coro::executor, push_big(c, pushed),
                        [](std::exception_ptr) {});
  boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor);
  wait.expires_after(std::chrono::milliseconds(100));  // the push is sending by now
  co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_await c.write("* answer\r\n");
  co_await c.flush();
  while (!*pushed) {
    wait.expires_after(std::chrono::milliseconds(10));
    co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

awaitable<void> refuse_session(Connection& c) {
  co_await c.write(c.refusal() == Refusal::PerIpLimit ? "* BYE per-ip\r\n" : "* BYE total\r\n");
}

struct Fixture {
  explicit Fixture(NetLimits limits = {}, bool tls = true) {
    if (tls) {
      files.cert_path = dir.file("cert.pem");
      files.key_path = dir.file("key.pem");
      EXPECT_TRUE(ensure_self_signed_certificate(files, "localhost"));
    }
    server = std::make_unique<Server>(2, files, limits);
    server->set_handler(Protocol::Imap, echo_session);
    server->set_handler(Protocol::Imaps, echo_session);
    server->set_handler(Protocol::Lmtp, push_session);
    server->set_handler(Protocol::Pop3s, push_session);
    server->set_handler(Protocol::Submission, overlap_session);
    server->set_refusal_handler(Protocol::Imap, refuse_session);
  }
  uint16_t listen(Protocol p) {
    auto st = server->listen({p, "127.0.0.1", 0, {}});
    EXPECT_TRUE(st) << (st ? "" : st.error().describe());
    return server->bound_port(ports++);
  }
  void start() { runner = std::make_unique<ServerRunner>(*server); }
  // Listens on imap (plain) and imaps (TLS) and starts; returns the two ports.
  std::pair<uint16_t, uint16_t> start_plain_and_tls() {
    uint16_t plain = listen(Protocol::Imap);
    uint16_t tls = listen(Protocol::Imaps);
    start();
    return {plain, tls};
  }

  TempDir dir;
  TlsFiles files;
  std::unique_ptr<Server> server;
  std::unique_ptr<ServerRunner> runner;
  size_t ports = 0;
};

TEST(Server, PlainEchoAndPipelining) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  EXPECT_EQ(c.line(), "* hello");
  c.send("one\r\ntwo\nthree\r\n");
  EXPECT_EQ(c.line(), "ECHO one");
  EXPECT_EQ(c.line(), "ECHO two");
  EXPECT_EQ(c.line(), "ECHO three");
  c.send("QUIT\r\n");
  EXPECT_EQ(c.line(), "BYE");
  EXPECT_EQ(c.line(), "<eof>");
  EXPECT_TRUE(eventually([&] { return f.server->open_connections() == 0; }));
}

// A blocking client on a Unix domain socket: connects, sends, reads up to `lines` lines.
std::string unix_exchange(const std::string& path, const std::string& send, int lines) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "<no connection>";
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::write(fd, send.data(), send.size());
  std::string got;
  char buf[256];
  while (std::count(got.begin(), got.end(), '\n') < lines) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

TEST(Server, UnixSocketListener) {
  Fixture f;
  std::string path = f.dir.file("imap.sock");
  std::ofstream(f.dir.file("not-a-socket")) << "x";
  auto refused = f.server->listen({Protocol::Imap, "", 0, f.dir.file("not-a-socket")});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().text.find("not a socket"), std::string::npos) << refused.error().text;
  {
    // A socket file left behind by a server that is gone is replaced.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  ASSERT_TRUE(f.server->listen({Protocol::Imap, "", 0, path}));
  auto busy = f.server->listen({Protocol::Imap, "", 0, path});
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().text.find("another server"), std::string::npos) << busy.error().text;
  f.start();
  EXPECT_EQ(unix_exchange(path, "hello\r\nQUIT\r\n", 3), "* hello\r\nECHO hello\r\nBYE\r\n");
  f.runner->stop();
  EXPECT_FALSE(std::filesystem::exists(path));  // removed at shutdown
}

TEST(Server, ImplicitTlsAcceptsTls12And13) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imaps);
  f.start();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TestClient c(version, version);
    ASSERT_TRUE(c.connect(port));
    ASSERT_TRUE(c.handshake()) << version;
    EXPECT_EQ(SSL_version(c.ssl()), version);
    EXPECT_EQ(c.line(), "* hello");
    c.send("hi\r\n");
    EXPECT_EQ(c.line(), "ECHO hi tls");
  }
}

TEST(Server, ImplicitTlsRefusesTls11) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imaps);
  f.start();
  TestClient c(TLS1_1_VERSION, TLS1_1_VERSION);
  ASSERT_TRUE(c.connect(port));
  EXPECT_FALSE(c.handshake());
  EXPECT_TRUE(eventually([&] {
    return f.server->metrics().render().find(
               "roost_tls_handshake_failures_total{protocol=\"imaps\"} 1") != std::string::npos;
  }));
}

// RFC 3207 §4.2: a line pipelined behind STARTTLS must not be executed after the upgrade.
TEST(Server, StartTlsDiscardsPipelinedPlaintext) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  EXPECT_EQ(c.line(), "* hello");
  c.send("STARTTLS\r\nINJECTED\r\n");
  EXPECT_EQ(c.line(), "OK begin");
  ASSERT_EQ(c.buffered(), 0u);
  // If the injected bytes reached the server after its read, they corrupt the handshake
  // instead: either way they are never executed.
  if (!c.handshake()) return;
  c.send("after\r\n");
  EXPECT_EQ(c.line(), "ECHO after tls");
  c.send("QUIT\r\n");
  EXPECT_EQ(c.line(), "BYE");
}

TEST(Server, StartTlsUpgradeWorks) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  EXPECT_EQ(c.line(), "* hello");
  c.send("STARTTLS\r\n");
  EXPECT_EQ(c.line(), "OK begin");
  ASSERT_TRUE(c.handshake());
  c.send("x\r\nSTARTTLS\r\n");
  EXPECT_EQ(c.line(), "ECHO x tls");
  EXPECT_EQ(c.line(), "OK begin");  // the second STARTTLS fails server-side: session ends
  EXPECT_EQ(c.line(), "<eof>");
}

TEST(Server, TooLongLineIsReportedAndSessionContinues) {
  NetLimits limits;
  limits.max_line_length = 100;
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  EXPECT_EQ(c.line(), "* hello");
  c.send(std::string(100000, 'x') + "\r\nok\r\n");
  EXPECT_EQ(c.line(), "BAD too long");
  EXPECT_EQ(c.line(), "ECHO ok");
}

TEST(Server, LiteralsAreStreamedAndLimited) {
  NetLimits limits;
  limits.max_literal_size = 200000;
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  EXPECT_EQ(c.line(), "* hello");
  c.send("LIT 5\r\nh\r\nlo\r\n");
  EXPECT_EQ(c.line(), "LIT 5 h\\r\\nlo");
  std::string big(150000, 'b');
  c.send("LIT 150000\r\n" + big + "\r\n");
  EXPECT_TRUE(c.line() == "LIT 150000 " + big);
  c.send("LIT 999999\r\n");
  EXPECT_EQ(c.line(), "NO too big");
}

// TLS reads and writes go through net/tls_channel: many records each way, a reply far larger
// than one record. OpenSSL writes with write(2), so a client that leaves while such a reply is
// sent must cost the server that connection only, not a SIGPIPE.
TEST(Server, LargeTransfersOverTlsAndAPeerLeavingMidReply) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imaps);
  f.start();
  std::string literal = "LIT 150000\r\n" + std::string(150000, 'b') + "\r\n";
  for (bool leave : {false, true}) {
    TestClient c;
    ASSERT_TRUE(c.connect(port));
    ASSERT_TRUE(c.handshake());
    EXPECT_EQ(c.line(), "* hello");
    c.send(literal);
    if (leave) {
      boost::system::error_code ec;
      c.socket().close(ec);  // without reading the 150 KB reply
      break;
    }
    EXPECT_TRUE(c.line() == "LIT 150000 " + std::string(150000, 'b'));
    c.send("after\r\n");
    EXPECT_EQ(c.line(), "ECHO after tls");
  }
  EXPECT_TRUE(eventually([&] { return f.server->open_connections() == 0; }));
  TestClient next;
  ASSERT_TRUE(next.connect(port));
  ASSERT_TRUE(next.handshake());
  EXPECT_EQ(next.line(), "* hello");
}

// What an idle session costs: after a 150 KB literal and a 150 KB reply, a connection waiting
// for its client holds no buffer from that burst (plain and TLS).
TEST(Server, IdleConnectionReleasesItsBuffers) {
  Fixture f;
  auto [plain, tls] = f.start_plain_and_tls();
  for (uint16_t port : {plain, tls}) {
    TestClient c;
    ASSERT_TRUE(c.connect(port));
    if (port == tls) {
      ASSERT_TRUE(c.handshake());
    }
    EXPECT_EQ(c.line(), "* hello");
    c.send("MEM\r\n");
    std::string fresh = c.line();
    std::string big(150000, 'b');
    c.send("LIT 150000\r\n" + big + "\r\n");
    EXPECT_TRUE(c.line() == "LIT 150000 " + big);
    // Buffers go when the server is about to wait for the client: a command that arrives
    // before it gets there finds them still in use. So the client pauses first.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    c.send("MEM\r\n");
    std::string after = c.line();
    ASSERT_TRUE(after.starts_with("MEM ")) << after;
    EXPECT_LE(std::stoul(after.substr(4)), 1024u) << "fresh connection: " << fresh;
  }
}

// IDLE's shape over TLS: the server writes from a second coroutine while a read waits; the
// read still gets the client's line and every push arrives.
TEST(Server, TlsPushesWhileAReadWaits) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Pop3s);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  ASSERT_TRUE(c.handshake());
  EXPECT_EQ(c.line(), "* tick");
  c.send("DONE\r\n");
  int ticks = 1;
  bool got = false;
  std::string line;
  while ((line = c.line()) == "* tick" || line == "* got DONE") {
    if (line == "* got DONE")
      got = true;
    else
      ++ticks;
  }
  EXPECT_TRUE(got);
  EXPECT_EQ(ticks, 8);
  EXPECT_EQ(line, "<eof>");
}

TEST(Server, PerIpLimitRefusesWithHook) {
  NetLimits limits;
  limits.max_connections_per_ip = 2;
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  auto a = std::make_unique<TestClient>();
  TestClient b, c;
  ASSERT_TRUE(a->connect(port));
  EXPECT_EQ(a->line(), "* hello");
  ASSERT_TRUE(b.connect(port));
  EXPECT_EQ(b.line(), "* hello");
  ASSERT_TRUE(c.connect(port));
  EXPECT_EQ(c.line(), "* BYE per-ip");
  EXPECT_EQ(c.line(), "<eof>");
  a.reset();
  ASSERT_TRUE(eventually([&] { return f.server->open_connections() == 1; }));
  TestClient d;
  ASSERT_TRUE(d.connect(port));
  EXPECT_EQ(d.line(), "* hello");
  EXPECT_NE(f.server->metrics().render().find(
                "roost_connections_refused_total{protocol=\"imap\",reason=\"per_ip\"} 1"),
            std::string::npos);
}

TEST(Server, TotalLimitClosesWithoutRefusalHandler) {
  NetLimits limits;
  limits.max_connections = 1;
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imaps);
  f.start();
  TestClient a, b;
  ASSERT_TRUE(a.connect(port));
  ASSERT_TRUE(a.handshake());
  EXPECT_EQ(a.line(), "* hello");
  ASSERT_TRUE(b.connect(port));
  EXPECT_FALSE(b.handshake());  // implicit TLS: refused before any handshake work
}

TEST(Server, IdleTimeoutClosesStalledClientOnly) {
  NetLimits limits;
  limits.idle_timeout = std::chrono::seconds(1);
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient stalled, busy;
  ASSERT_TRUE(stalled.connect(port));
  ASSERT_TRUE(busy.connect(port));
  EXPECT_EQ(stalled.line(), "* hello");
  EXPECT_EQ(busy.line(), "* hello");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    busy.send("ping\r\n");
    EXPECT_EQ(busy.line(), "ECHO ping");
  }
  EXPECT_EQ(stalled.line(), "* BYE idle");
  EXPECT_EQ(stalled.line(), "<eof>");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  busy.send("still\r\n");
  EXPECT_EQ(busy.line(), "ECHO still");
}

TEST(Server, ServerWritesDoNotExtendTheReadIdleTimeout) {
  NetLimits limits;
  limits.idle_timeout = std::chrono::seconds(1);
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Lmtp);
  f.start();
  TestClient silent;
  ASSERT_TRUE(silent.connect(port));
  auto start = std::chrono::steady_clock::now();
  std::string line;
  int ticks = 0;
  while ((line = silent.line()) == "* tick") ++ticks;
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(line, "* BYE idle");
  EXPECT_GE(ticks, 2);  // pushes arrived while the read waited
  EXPECT_LT(ticks, 8);  // and the read timed out before the pusher finished
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
}

TEST(Server, WritesOfTwoCoroutinesNeitherOverlapNorGetLost) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Submission);
  f.start();
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both writes are under way
  std::string big = c.line();
  EXPECT_EQ(big.size(), 6u + (32u << 20));
  EXPECT_TRUE(big.starts_with("* big xxx"));
  EXPECT_EQ(c.line(), "* answer");
  EXPECT_EQ(c.line(), "<eof>");
}

TEST(Server, ExceptionClosesOnlyThatSession) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient bad, good;
  ASSERT_TRUE(bad.connect(port));
  ASSERT_TRUE(good.connect(port));
  EXPECT_EQ(bad.line(), "* hello");
  EXPECT_EQ(good.line(), "* hello");
  bad.send("THROW\r\n");
  EXPECT_EQ(bad.line(), "<eof>");
  good.send("fine\r\n");
  EXPECT_EQ(good.line(), "ECHO fine");
}

TEST(Server, ShutdownDrainsThenClosesWithinGrace) {
  NetLimits limits;
  limits.shutdown_grace = std::chrono::seconds(1);
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient polite, stuck;
  ASSERT_TRUE(polite.connect(port));
  ASSERT_TRUE(stuck.connect(port));
  EXPECT_EQ(polite.line(), "* hello");
  EXPECT_EQ(stuck.line(), "* hello");
  auto start = std::chrono::steady_clock::now();
  f.server->shutdown();
  // A session still in its grace period keeps working.
  polite.send("QUIT\r\n");
  EXPECT_EQ(polite.line(), "BYE");
  EXPECT_EQ(stuck.line(), "<eof>");  // closed when the grace period ends
  f.runner->stop();                  // run() returned
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(5));
  TestClient late;
  EXPECT_FALSE(late.connect(port) && late.line() == "* hello");
}

TEST(Server, ShutdownWithoutSessionsReturnsQuickly) {
  Fixture f;
  f.listen(Protocol::Imap);
  f.start();
  auto start = std::chrono::steady_clock::now();
  f.runner->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Server, ListenOnUnregisteredProtocolIsAClearError) {
  Fixture f;
  auto st = f.server->listen({Protocol::Pop3, "127.0.0.1", 0, {}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::NotFound);
  EXPECT_EQ(st.error().text, "protocol 'pop3' is not available in this build yet");
}

TEST(Server, ListenOnBusyPortIsAClearError) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  auto st = f.server->listen({Protocol::Imap, "127.0.0.1", port, {}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind, ErrorKind::Io);
  EXPECT_NE(st.error().text.find("cannot listen on imap=127.0.0.1:"), std::string::npos)
      << st.error().text;
}

TEST(Server, ImplicitTlsWithoutCertificateIsAClearError) {
  Fixture f({}, /*tls=*/false);
  auto st = f.server->listen({Protocol::Imaps, "127.0.0.1", 0, {}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().text.find("no TLS certificate"), std::string::npos);
}

// --- COMPRESS=DEFLATE (RFC 4978) ---

// Connects (TLS when asked), reads the greeting and turns compression on.
void start_compressed(TestClient& c, uint16_t port, bool tls) {
  ASSERT_TRUE(c.connect(port));
  if (tls) {
    ASSERT_TRUE(c.handshake());
  }
  ASSERT_EQ(c.line(), "* hello");
  c.send("COMPRESS\r\n");
  ASSERT_EQ(c.line(), "OK compress");  // RFC 4978 §3: the OK itself is not compressed
}

TEST(Server, CompressedRoundTripPlainAndTls) {
  Fixture f;
  auto [plain_port, tls_port] = f.start_plain_and_tls();
  for (bool tls : {false, true}) {
    TestClient c;
    DeflatePeer z;
    start_compressed(c, tls ? tls_port : plain_port, tls);
    std::string suffix = tls ? " tls" : "";
    c.send(z.compress("one\r\ntwo\r\n"));
    EXPECT_EQ(z.line(c), "ECHO one" + suffix);
    EXPECT_EQ(z.line(c), "ECHO two" + suffix);
    c.send(z.compress("LIT 5\r\nh\r\nlo\r\n"));
    EXPECT_EQ(z.line(c), "LIT 5 h\\r\\nlo");
    std::string big(150000, 'b');  // several compressed pieces each way
    c.send(z.compress("LIT 150000\r\n" + big + "\r\n"));
    EXPECT_TRUE(z.line(c) == "LIT 150000 " + big);
    c.send(z.compress("COMPRESS\r\n"));
    EXPECT_EQ(z.line(c), "NO active");
    c.send(z.compress("QUIT\r\n"));
    EXPECT_EQ(z.line(c), "BYE");
    EXPECT_EQ(z.line(c), "<eof>");
  }
}

// RFC 4978 §3: bytes sent right behind COMPRESS are compressed; they may arrive in the same read
// as the command or split anywhere.
TEST(Server, BytesPipelinedBehindCompressAreInflated) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  for (size_t split : {std::string::npos, size_t{3}}) {
    TestClient c;
    DeflatePeer z;
    ASSERT_TRUE(c.connect(port));
    ASSERT_EQ(c.line(), "* hello");
    std::string wire = z.compress("first\r\nsecond\r\n");
    c.send("COMPRESS\r\n" + wire.substr(0, split));
    EXPECT_EQ(c.line(), "OK compress");
    if (split < wire.size()) c.send(wire.substr(split));
    EXPECT_EQ(z.line(c), "ECHO first") << split;
    EXPECT_EQ(z.line(c), "ECHO second") << split;
  }
}

TEST(Server, CorruptCompressedStreamEndsOnlyThatConnection) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient bad, good;
  DeflatePeer zbad, zgood;
  start_compressed(bad, port, false);
  start_compressed(good, port, false);
  bad.send(zbad.compress("fine\r\n"));
  EXPECT_EQ(zbad.line(bad), "ECHO fine");
  bad.send(std::string("\xff\xfe\xfd not deflate at all\r\n"));
  EXPECT_EQ(zbad.line(bad), "<eof>");
  good.send(zgood.compress("still\r\n"));
  EXPECT_EQ(zgood.line(good), "ECHO still");
  EXPECT_TRUE(eventually([&] { return f.server->open_connections() == 1; }));
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// 256 MiB of one line from ~256 KiB on the wire: the server inflates it piece by piece into the
// line reader, which reports it too long and drops it; nothing ever holds it whole.
TEST(Server, DecompressionBombMeetsTheLineLimit) {
  NetLimits limits;
  limits.max_line_length = 100;
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient c;
  DeflatePeer z;
  start_compressed(c, port, false);
  long before = peak_rss_kib();
  std::string mib(1 << 20, 'x');
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(c.send(z.compress(mib, Z_NO_FLUSH)));
  c.send(z.compress("\r\nok\r\n"));
  EXPECT_EQ(z.line(c), "BAD too long");
  EXPECT_EQ(z.line(c), "ECHO ok");
  EXPECT_LT(peak_rss_kib() - before, 64 * 1024) << "KiB of peak RSS grew while inflating";
}

TEST(Server, IdleTimeoutIsUnchangedUnderCompression) {
  NetLimits limits;
  limits.idle_timeout = std::chrono::seconds(1);
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient silent;
  DeflatePeer zs;
  start_compressed(silent, port, false);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(zs.line(silent), "* BYE idle");
  EXPECT_EQ(zs.line(silent), "<eof>");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST(Server, ShutdownIsUnchangedUnderCompression) {
  NetLimits limits;
  limits.shutdown_grace = std::chrono::seconds(1);
  Fixture f(limits);
  uint16_t port = f.listen(Protocol::Imap);
  f.start();
  TestClient polite, stuck;
  DeflatePeer zp, zt;
  start_compressed(polite, port, false);
  start_compressed(stuck, port, false);
  f.server->shutdown();
  polite.send(zp.compress("QUIT\r\n"));  // still served during the grace period
  EXPECT_EQ(zp.line(polite), "BYE");
  EXPECT_EQ(zt.line(stuck), "<eof>");  // closed when the grace period ends
}

std::string peer_cert_cn(TestClient& c) {
  X509* cert = SSL_get1_peer_certificate(c.ssl());
  if (!cert) return {};
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  X509_free(cert);
  return buf;
}

TEST(Server, ReloadTlsPicksUpNewCertificateAndKeepsOldOnError) {
  Fixture f;
  uint16_t port = f.listen(Protocol::Imaps);
  f.start();
  {
    TestClient c;
    ASSERT_TRUE(c.connect(port));
    ASSERT_TRUE(c.handshake());
    EXPECT_EQ(peer_cert_cn(c), "localhost");
  }
  std::filesystem::remove(f.files.cert_path);
  ASSERT_TRUE(ensure_self_signed_certificate(f.files, "mail.example.org"));
  ASSERT_TRUE(f.server->reload_tls());
  {
    TestClient c;
    ASSERT_TRUE(c.connect(port));
    ASSERT_TRUE(c.handshake());
    EXPECT_EQ(peer_cert_cn(c), "mail.example.org");
  }
  ASSERT_TRUE(Env::real().write_file_atomic(f.files.cert_path, "garbage"));
  EXPECT_FALSE(f.server->reload_tls());
  TestClient c;
  ASSERT_TRUE(c.connect(port));
  ASSERT_TRUE(c.handshake());
  EXPECT_EQ(peer_cert_cn(c), "mail.example.org");
}

}  // namespace
}  // namespace roost::net
