#include "http/http_session.h"

#include <gtest/gtest.h>

#include "net/test_client.h"

namespace roost::http {
namespace {

using net::testing::ServerRunner;
using net::testing::TempDir;
using net::testing::TestClient;

struct Reply {
  int status = 0;
  std::string head;
  std::string body;
};

// Reads one response (Content-Length framed) from the client.
Reply read_reply(TestClient& c) {
  Reply r;
  std::string status_line = c.line();
  if (status_line.size() < 12) return r;
  r.status = std::stoi(status_line.substr(9, 3));
  size_t length = 0;
  for (std::string h = c.line(); !h.empty() && h != "<eof>"; h = c.line()) {
    r.head += h + "\n";
    if (h.starts_with("Content-Length: ")) length = std::stoul(h.substr(16));
  }
  r.body = c.bytes(length);
  return r;
}

struct HttpFixture {
  HttpFixture() {
    files = {dir.file("cert.pem"), dir.file("key.pem")};
    EXPECT_TRUE(net::ensure_self_signed_certificate(files, "localhost"));
    server = std::make_unique<net::Server>(2, files, net::NetLimits{});
    Options options;
    options.max_header_bytes = 1024;
    register_http(*server, options);
    EXPECT_TRUE(server->listen({net::Protocol::Http, "127.0.0.1", 0, {}}));
    EXPECT_TRUE(server->listen({net::Protocol::Https, "127.0.0.1", 0, {}}));
    runner = std::make_unique<ServerRunner>(*server);
  }
  TempDir dir;
  net::TlsFiles files;
  std::unique_ptr<net::Server> server;
  std::unique_ptr<ServerRunner> runner;
};

void check_endpoints(TestClient& c) {
  // Two pipelined requests on one keep-alive connection.
  c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  Reply health = read_reply(c);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  Reply metrics = read_reply(c);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE roost_connections_open gauge"), std::string::npos);
  EXPECT_NE(metrics.body.find("roost_connections_accepted_total{protocol=\"http"),
            std::string::npos);
  c.send("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(read_reply(c).status, 404);
  EXPECT_EQ(c.line(), "<eof>");
}

TEST(Http, HealthzMetricsAnd404OverPlain) {
  HttpFixture f;
  TestClient c;
  ASSERT_TRUE(c.connect(f.server->bound_port(0)));
  check_endpoints(c);
}

TEST(Http, HealthzMetricsAnd404OverTls) {
  HttpFixture f;
  TestClient c;
  ASSERT_TRUE(c.connect(f.server->bound_port(1)));
  ASSERT_TRUE(c.handshake());
  check_endpoints(c);
}

TEST(Http, BadRequestAndHeaderLimit) {
  HttpFixture f;
  {
    TestClient c;
    ASSERT_TRUE(c.connect(f.server->bound_port(0)));
    c.send("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_EQ(read_reply(c).status, 400);
    EXPECT_EQ(c.line(), "<eof>");
  }
  {
    TestClient c;
    ASSERT_TRUE(c.connect(f.server->bound_port(0)));
    c.send("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n");
    EXPECT_EQ(read_reply(c).status, 431);
  }
  {
    TestClient c;
    ASSERT_TRUE(c.connect(f.server->bound_port(0)));
    c.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    EXPECT_EQ(read_reply(c).status, 405);
  }
}

}  // namespace
}  // namespace roost::http
