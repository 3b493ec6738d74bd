#include "queue/smtp_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "mailauth/static_resolver.h"
#include "queue/fake_smtp_server.h"

namespace roost::queue {
namespace {

using Kind = RecipientOutcome::Kind;

class SmtpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_.add_mx("b.test", 10, "mx1.b.test");
    dns_.add_mx("b.test", 20, "mx2.b.test");
    dns_.add_address("mx1.b.test", "127.0.0.1");
    dns_.add_address("mx2.b.test", "127.0.0.1");
    dns_.add_address("nomx.test", "127.0.0.1");  // implicit MX
    dns_.add_mx("nullmx.test", 0, "");
    dns_.add_mx("dead.test", 10, "mx.dead.test");
    dns_.add_address("mx.dead.test", "127.0.0.1");
    options_.helo_name = "mx.a.test";
    options_.port = server_.port();
  }

  std::vector<RecipientOutcome> send(std::string domain, std::vector<std::string> rcpts,
                                     std::string message = "Subject: x\r\n\r\n.hidden dot\r\nend",
                                     DsnRequest dsn = {}) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(
        io, send_to_domain(blocking_, dns_, domain, "alice@a.test", rcpts, message, options_, dsn),
        boost::asio::use_future);
    io.run();
    return future.get();
  }

  testing::FakeSmtpServer server_;
  mailauth::StaticResolver dns_;
  net::BlockingExecutor blocking_{2};
  RemoteOptions options_;
};

TEST_F(SmtpClientTest, DeliversOneTransactionPerDomain) {
  auto out = send("b.test", {"bob@b.test", "bea@b.test"});
  ASSERT_EQ(out.size(), 2u);
  for (const auto& o : out) EXPECT_EQ(o.kind, Kind::Delivered) << o.text;
  auto t = server_.transactions();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].mail_from, "MAIL FROM:<alice@a.test> SIZE=30");
  EXPECT_EQ(t[0].recipients, (std::vector<std::string>{"bob@b.test", "bea@b.test"}));
  EXPECT_EQ(t[0].data, "Subject: x\r\n\r\n..hidden dot\r\nend\r\n.\r\n");
  EXPECT_NE(out[0].text.find("250 2.0.0 queued"), std::string::npos);
}

TEST_F(SmtpClientTest, PerRecipientRefusals) {
  server_.rcpt_reply = [](const std::string& r) {
    return r == "nobody@b.test" ? std::string("550 5.1.1 no such user")
                                : r == "full@b.test" ? std::string("452 4.2.2 mailbox full")
                                                     : std::string("250 ok");
  };
  auto out = send("b.test", {"bob@b.test", "nobody@b.test", "full@b.test"});
  EXPECT_EQ(out[0].kind, Kind::Delivered);
  EXPECT_EQ(out[1].kind, Kind::PermFailure);
  EXPECT_NE(out[1].text.find("550 5.1.1 no such user"), std::string::npos) << out[1].text;
  EXPECT_EQ(out[2].kind, Kind::TempFailure);
}

TEST_F(SmtpClientTest, DataRefusalAppliesToAll) {
  server_.data_reply = "554 5.7.1 spam";
  auto out = send("b.test", {"bob@b.test"});
  EXPECT_EQ(out[0].kind, Kind::PermFailure);
  server_.data_reply = "451 4.3.0 try later";
  out = send("b.test", {"bob@b.test"});
  EXPECT_EQ(out[0].kind, Kind::TempFailure);
}

TEST_F(SmtpClientTest, ImplicitNullAndMissingDomains) {
  EXPECT_EQ(send("nomx.test", {"x@nomx.test"})[0].kind, Kind::Delivered);
  auto out = send("nullmx.test", {"x@nullmx.test"});
  EXPECT_EQ(out[0].kind, Kind::PermFailure);
  EXPECT_NE(out[0].text.find("does not accept mail"), std::string::npos);
  out = send("nowhere.test", {"x@nowhere.test"});
  EXPECT_EQ(out[0].kind, Kind::PermFailure);
  EXPECT_NE(out[0].text.find("does not exist"), std::string::npos);
  dns_.fail("flaky.test");
  EXPECT_EQ(send("flaky.test", {"x@flaky.test"})[0].kind, Kind::TempFailure);
}

TEST_F(SmtpClientTest, UnreachableAndBusyServersAreTemporary) {
  options_.port = 1;  // nothing listens there
  auto out = send("b.test", {"bob@b.test"});
  EXPECT_EQ(out[0].kind, Kind::TempFailure);
  EXPECT_NE(out[0].text.find("did not accept a connection"), std::string::npos) << out[0].text;
  options_.port = server_.port();
  server_.greeting = "421 4.3.2 busy";
  out = send("b.test", {"bob@b.test"});
  EXPECT_EQ(out[0].kind, Kind::TempFailure);
  EXPECT_EQ(server_.connections(), 2);  // both MX hosts were tried
}

TEST(DotStuff, LinesAndEnding) {
  EXPECT_EQ(dot_stuff(".a\r\nb\n.\r\n"), "..a\r\nb\r\n..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("x"), "x\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
}

TEST_F(SmtpClientTest, PassesTheDsnRequestToAServerThatOffersDsn) {
  server_.ehlo_extensions = "250-fake\r\n250-DSN\r\n250 8BITMIME";
  DsnRequest dsn{Return::Headers, "env 1+2", {kNotifySuccess | kNotifyFailure, 0},
                 {"rfc822;Bob=Smith@b.test", ""}};
  auto out = send("b.test", {"bob@b.test", "bea@b.test"}, "Subject: x\r\n\r\nhi", dsn);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].remote_reports);
  auto t = server_.transactions();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].mail_from, "MAIL FROM:<alice@a.test> RET=HDRS ENVID=env+201+2B2");
  EXPECT_EQ(t[0].rcpt_lines[0],
            "RCPT TO:<bob@b.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+3DSmith@b.test");
  EXPECT_EQ(t[0].rcpt_lines[1], "RCPT TO:<bea@b.test>");
}

TEST_F(SmtpClientTest, KeepsTheDsnRequestFromAServerWithoutDsn) {
  DsnRequest dsn{Return::Full, "x", {kNotifySuccess}, {"rfc822;bob@b.test"}};
  auto out = send("b.test", {"bob@b.test"}, "Subject: x\r\n\r\nhi", dsn);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Kind::Delivered);
  EXPECT_FALSE(out[0].remote_reports);
  auto t = server_.transactions();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].mail_from, "MAIL FROM:<alice@a.test> SIZE=16");
  EXPECT_EQ(t[0].rcpt_lines[0], "RCPT TO:<bob@b.test>");
}

TEST_F(SmtpClientTest, EightBitMessageOnlyToAnEightBitServer) {
  std::string message = "Subject: caf\xc3\xa9\r\n\r\nna\xc3\xafve\r\n";
  auto out = send("b.test", {"bob@b.test"}, message);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Kind::Delivered);
  ASSERT_EQ(server_.transactions().size(), 1u);
  EXPECT_NE(server_.transactions()[0].mail_from.find(" BODY=8BITMIME"), std::string::npos);

  server_.ehlo_extensions = "250-fake\r\n250 SIZE 1000000";
  out = send("b.test", {"bob@b.test"}, message);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, Kind::PermFailure);
  EXPECT_NE(out[0].text.find("8BITMIME"), std::string::npos) << out[0].text;
  EXPECT_EQ(server_.transactions().size(), 1u);  // nothing more was sent
}

}  // namespace
}  // namespace roost::queue
