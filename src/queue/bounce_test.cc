#include "queue/bounce.h"

#include <gtest/gtest.h>

namespace roost::queue {
namespace {

QueuedMessage failed_message() {
  QueuedMessage m;
  m.id = "20261124-000000-abc";
  m.sender = "alice@a.test";
  m.created = 1795000000;
  m.recipients = {
      {"bob@b.test", QueuedRecipient::State::Failed, "mx.b.test answered RCPT TO:<bob@b.test> with: 550 5.1.1 no such user"},
      {"carol@c.test", QueuedRecipient::State::Delivered, "mx.c.test said: 250 ok"}};
  return m;
}

TEST(Bounce, ReportsOnlyFailedRecipientsInPlainWordsAndAsDsn) {
  std::string original = "From: alice@a.test\r\nSubject: Plans\r\n\r\nsecret body\r\n";
  std::string dsn = build_bounce(failed_message(), original, {"mx.a.test", 1795000100, false, 0});
  EXPECT_NE(dsn.find("From: Mail Delivery System <MAILER-DAEMON@mx.a.test>\r\n"), std::string::npos);
  EXPECT_NE(dsn.find("To: <alice@a.test>\r\n"), std::string::npos);
  EXPECT_NE(dsn.find("Auto-Submitted: auto-replied\r\n"), std::string::npos);
  EXPECT_NE(dsn.find("multipart/report; report-type=delivery-status"), std::string::npos);
  EXPECT_NE(dsn.find("refused it for good"), std::string::npos);
  EXPECT_NE(dsn.find("Final-Recipient: rfc822; bob@b.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"),
            std::string::npos);
  EXPECT_EQ(dsn.find("carol@c.test"), std::string::npos);
  EXPECT_NE(dsn.find("Subject: Plans\r\n"), std::string::npos);  // the original header...
  EXPECT_EQ(dsn.find("secret body"), std::string::npos);        // ...not its body
  EXPECT_NE(dsn.find("Reporting-MTA: dns; mx.a.test\r\n"), std::string::npos);
}

TEST(Bounce, ExpiredSaysHowLong) {
  QueuedMessage m = failed_message();
  m.recipients[0].reply = "mx.b.test did not accept a connection";
  std::string dsn = build_bounce(m, "Subject: x\r\n\r\n", {"mx.a.test", 1795000100, true, 5 * 86400});
  EXPECT_NE(dsn.find("for 5 days"), std::string::npos);
  EXPECT_NE(dsn.find("Status: 4.4.7\r\n"), std::string::npos);
}

TEST(Bounce, ReturnsTheWholeMessageOnlyWhenRetFullAsked) {
  QueuedMessage m = failed_message();
  std::string original = "From: alice@a.test\r\nSubject: Plans\r\n\r\nsecret body\r\n";
  m.ret = Return::Full;
  std::string dsn = build_bounce(m, original, {"mx.a.test", 1795000100, false, 0});
  EXPECT_NE(dsn.find("Content-Type: message/rfc822\r\n\r\nFrom: alice@a.test"), std::string::npos);
  EXPECT_NE(dsn.find("secret body"), std::string::npos);
  m.ret = Return::Headers;
  dsn = build_bounce(m, original, {"mx.a.test", 1795000100, false, 0});
  EXPECT_EQ(dsn.find("secret body"), std::string::npos);
}

TEST(Bounce, DeliveredReportCarriesTheDsnRequest) {
  QueuedMessage m = failed_message();
  m.envid = "E1";
  m.recipients[1].orcpt = "rfc822;Carol@c.test";
  m.ret = Return::Full;  // RET applies to failure reports only
  BounceContext ctx{"mx.a.test", 1795000100, false, 0, ReportKind::Delivered};
  std::string dsn = build_report(m, "Subject: Plans\r\n\r\nsecret body\r\n", {1}, ctx);
  EXPECT_NE(dsn.find("Subject: Successful Mail Delivery Report"), std::string::npos);
  EXPECT_NE(dsn.find("Original-Envelope-Id: E1\r\n"), std::string::npos);
  EXPECT_NE(dsn.find("Original-Recipient: rfc822;Carol@c.test\r\nFinal-Recipient: rfc822; "
                     "carol@c.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n"),
            std::string::npos);
  EXPECT_EQ(dsn.find("bob@b.test"), std::string::npos);
  EXPECT_EQ(dsn.find("secret body"), std::string::npos);
  EXPECT_EQ(dsn.find("Last-Attempt-Date"), std::string::npos);
}

TEST(Bounce, StatusCodes) {
  EXPECT_EQ(status_code_of("550 5.7.1 relay denied", true), "5.7.1");
  EXPECT_EQ(status_code_of("550 user unknown", true), "5.0.0");
  EXPECT_EQ(status_code_of("timeout", false), "4.0.0");
}

}  // namespace
}  // namespace roost::queue
