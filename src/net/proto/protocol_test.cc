#include "net/proto/protocol.h"

#include <gtest/gtest.h>

namespace roost::net {
namespace {

TEST(Protocol, NamesRoundTripAndDefaults) {
  const char* names[] = {"imap",        "imaps", "pop3", "pop3s", "submission",
                         "submissions", "smtp",  "lmtp", "http",  "https"};
  const uint16_t ports[] = {143, 993, 110, 995, 587, 465, 25, 24, 8080, 8443};
  for (size_t i = 0; i < std::size(kAllProtocols); ++i) {
    EXPECT_EQ(to_string(kAllProtocols[i]), names[i]);
    EXPECT_EQ(parse_protocol(names[i]), kAllProtocols[i]);
    EXPECT_EQ(default_port(kAllProtocols[i]), ports[i]);
  }
  EXPECT_FALSE(parse_protocol("IMAP"));
  EXPECT_FALSE(parse_protocol("gopher"));
  EXPECT_TRUE(is_implicit_tls(Protocol::Imaps));
  EXPECT_TRUE(is_implicit_tls(Protocol::Submissions));
  EXPECT_TRUE(is_implicit_tls(Protocol::Https));
  EXPECT_FALSE(is_implicit_tls(Protocol::Submission));
  EXPECT_FALSE(is_implicit_tls(Protocol::Lmtp));
}

TEST(ListenSpec, Parses) {
  auto s = parse_listen_spec("imap=127.0.0.1:1143");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->protocol, Protocol::Imap);
  EXPECT_EQ(s->host, "127.0.0.1");
  EXPECT_EQ(s->port, 1143);
  s = parse_listen_spec("pop3s=[::1]:995");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->host, "::1");
  EXPECT_EQ(s->port, 995);
  EXPECT_EQ(to_string(*s), "pop3s=[::1]:995");
  s = parse_listen_spec("http=0.0.0.0");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->port, 8080);
  s = parse_listen_spec("https=[::]");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->host, "::");
  EXPECT_EQ(s->port, 8443);
  s = parse_listen_spec("smtp=localhost:0");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->port, 0);
  s = parse_listen_spec("lmtp=unix:/run/roost/lmtp");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->protocol, Protocol::Lmtp);
  EXPECT_EQ(s->path, "/run/roost/lmtp");
  EXPECT_EQ(to_string(*s), "lmtp=unix:/run/roost/lmtp");
}

TEST(ListenSpec, Rejects) {
  for (const char* bad :
       {"imap", "imap=", "imap=:143", "imap=1.2.3.4:", "imap=1.2.3.4:70000", "imap=1.2.3.4:12x",
        "imap=[::1", "imap=[::1]143", "imap=::1:143", "imap=[::1]:", "lmtp=unix:",
        "lmtp=unix:relative/path"}) {
    auto s = parse_listen_spec(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().kind, ErrorKind::Syntax) << bad;
  }
  EXPECT_FALSE(parse_listen_spec("lmtp=unix:/" + std::string(kMaxUnixSocketPath, 'x')));
  auto s = parse_listen_spec("gopher=1.2.3.4:70");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::NotFound);
}

}  // namespace
}  // namespace roost::net
