#include "config/listen_address.h"

#include <gtest/gtest.h>

namespace roost::config {
namespace {

TEST(ListenAddress, Parses) {
  auto a = parse_listen_address("imap", "127.0.0.1:143");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 143);
  auto b = parse_listen_address("imaps", "[::]:993");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::");
  EXPECT_EQ(b->host_port(), "[::]:993");
  auto c = parse_listen_flag("http=localhost:8080");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->protocol, "http");
  EXPECT_EQ(c->host, "localhost");
}

TEST(ListenAddress, Rejects) {
  for (const char* bad : {"", ":143", "host", "host:", "host:0", "host:65536", "host:12x",
                          "::1:143", "[::1]143", "[::1", "ho st:1"}) {
    EXPECT_FALSE(parse_listen_address("imap", bad)) << bad;
  }
  EXPECT_FALSE(parse_listen_address("gopher", "h:70"));
  EXPECT_FALSE(parse_listen_flag("imap"));
}

TEST(ListenAddress, ImplicitTls) {
  EXPECT_TRUE(uses_implicit_tls("imaps"));
  EXPECT_TRUE(uses_implicit_tls("https"));
  EXPECT_FALSE(uses_implicit_tls("imap"));
  EXPECT_FALSE(uses_implicit_tls("submission"));
}

}  // namespace
}  // namespace roost::config
