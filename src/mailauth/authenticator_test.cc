#include "mailauth/authenticator.h"

#include <gtest/gtest.h>

#include "mailauth/dkim_signer.h"
#include "mailauth/static_resolver.h"

namespace roost::mailauth {
namespace {

const std::string kMessage =
    "From: Alice <alice@a.test>\r\n"
    "To: bob@b.test\r\n"
    "Subject: hello\r\n"
    "\r\n"
    "Hi Bob.\r\n";

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = generate_dkim_key("a.test", "ed", DkimAlgorithm::Ed25519).value();
    dns_.add_txt(key_.dns_name(), key_.dns_record());
    dns_.add_txt("a.test", "v=spf1 ip4:192.0.2.10 -all");
    dns_.add_txt("_dmarc.a.test", "v=DMARC1; p=reject");
    auth_ = Authenticator::create(dns_, "mx.b.test").value();
  }
  InboundEnvelope from(std::string client, std::string mail_from = "alice@a.test") {
    return {IpAddress::parse(client).value(), "mail.a.test", mail_from};
  }
  std::string signed_message() { return dkim_sign(kMessage, key_, 1795000000).value() + kMessage; }

  DkimKey key_;
  StaticResolver dns_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, EverythingPasses) {
  InboundVerdict v = auth_->check(from("192.0.2.10"), signed_message());
  EXPECT_EQ(v.disposition, DmarcDisposition::Accept);
  EXPECT_EQ(v.header,
            "Authentication-Results: mx.b.test;\r\n"
            "\tspf=pass smtp.mailfrom=alice@a.test;\r\n"
            "\tdkim=pass header.d=a.test header.s=ed header.a=ed25519-sha256;\r\n"
            "\tdmarc=pass (p=reject) header.from=a.test\r\n");
}

TEST_F(AuthenticatorTest, ForgedSenderIsRejected) {
  InboundVerdict v = auth_->check(from("203.0.113.66"), kMessage);
  EXPECT_EQ(v.spf.verdict, SpfVerdict::Fail);
  EXPECT_EQ(v.dmarc.verdict, DmarcVerdict::Fail);
  EXPECT_EQ(v.disposition, DmarcDisposition::Reject);
  EXPECT_NE(v.reason.find("a.test"), std::string::npos);
  EXPECT_NE(v.header.find("dkim=none"), std::string::npos);
}

TEST_F(AuthenticatorTest, ForwardedMailPassesOnDkim) {
  // A forwarder: SPF fails for its address, the DKIM signature survives.
  InboundVerdict v = auth_->check(from("203.0.113.66"), signed_message());
  EXPECT_EQ(v.spf.verdict, SpfVerdict::Fail);
  EXPECT_EQ(v.dmarc.verdict, DmarcVerdict::Pass);
  EXPECT_EQ(v.disposition, DmarcDisposition::Accept);
}

TEST_F(AuthenticatorTest, HeaderSectionAloneOfUnsignedMail) {
  // What the port-25 check passes for unsigned mail: the header section, blank line included.
  InboundVerdict v = auth_->check(from("192.0.2.10"), kMessage.substr(0, kMessage.find("Hi")));
  EXPECT_EQ(v.spf.verdict, SpfVerdict::Pass);
  EXPECT_TRUE(v.dkim.empty());
  EXPECT_EQ(v.dmarc.verdict, DmarcVerdict::Pass);
  EXPECT_NE(v.header.find("dkim=none"), std::string::npos);
}

TEST(HasDkimSignature, LooksInTheHeaderSectionOnly) {
  EXPECT_TRUE(has_dkim_signature("From: a@x.test\r\nDKIM-Signature: v=1; d=x.test\r\n\r\nHi\r\n"));
  EXPECT_TRUE(has_dkim_signature("dkim-signature : v=1\r\n\r\n"));
  EXPECT_FALSE(has_dkim_signature("From: a@x.test\r\n\r\nDKIM-Signature: v=1\r\n"));
  EXPECT_FALSE(has_dkim_signature("X-DKIM-Signature: v=1\r\n\r\n"));
}

TEST(FromDomain, OneFromWithOneAddress) {
  EXPECT_EQ(from_domain("From: \"A, B\" <a@Example.org>\r\n\r\n"), "Example.org");
  EXPECT_EQ(from_domain("To: x@y\r\n\r\n"), "");
  EXPECT_EQ(from_domain("From: a@x.test\r\nFrom: b@y.test\r\n\r\n"), "");
  EXPECT_EQ(from_domain("From: a@x.test, b@y.test\r\n\r\n"), "");
  EXPECT_EQ(from_domain("From: nobody\r\n\r\n"), "");
}

TEST(ForgedResults, MatchesOurAuthservId) {
  EXPECT_TRUE(is_forged_results(" mx.b.test; spf=pass", "MX.b.test"));
  EXPECT_TRUE(is_forged_results(" mx.b.test 1; none", "mx.b.test"));
  EXPECT_FALSE(is_forged_results(" mx.other.test; spf=pass", "mx.b.test"));
}

}  // namespace
}  // namespace roost::mailauth
