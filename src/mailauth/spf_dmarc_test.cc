#include <gtest/gtest.h>

#include "mailauth/dmarc.h"
#include "mailauth/spf.h"
#include "mailauth/static_resolver.h"

namespace roost::mailauth {
namespace {

IpAddress ip(std::string_view text) { return IpAddress::parse(text).value(); }

class SpfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_.add_txt("a.test", "v=spf1 ip4:192.0.2.0/24 mx include:_spf.b.test -all");
    dns_.add_mx("a.test", 10, "mx.a.test");
    dns_.add_address("mx.a.test", "198.51.100.7");
    dns_.add_txt("_spf.b.test", "v=spf1 ip6:2001:db8::/32 ~all");
    dns_.add_txt("soft.test", "v=spf1 ~all");
    dns_.add_txt("neutral.test", "v=spf1 ?all");
    dns_.add_txt("broken.test", "v=spf1 ip4:not-an-ip -all");
    dns_.add_txt("loop.test", "v=spf1 include:loop.test -all");
    dns_.add_txt("helo.test", "v=spf1 a -all");
    dns_.add_address("helo.test", "203.0.113.9");
    dns_.add_txt("nospf.test", "some other text");
    dns_.add_txt("down.test", "v=spf1 include:dead.test -all");
    dns_.fail("dead.test");
  }
  SpfVerdict spf(std::string_view client, std::string_view from, std::string_view helo = "h") {
    return check_spf(dns_, ip(client), helo, from).verdict;
  }
  StaticResolver dns_;
};

TEST_F(SpfTest, Mechanisms) {
  EXPECT_EQ(spf("192.0.2.55", "alice@a.test"), SpfVerdict::Pass);       // ip4
  EXPECT_EQ(spf("198.51.100.7", "alice@a.test"), SpfVerdict::Pass);     // mx
  EXPECT_EQ(spf("2001:db8::1", "alice@a.test"), SpfVerdict::Pass);      // include + ip6
  EXPECT_EQ(spf("203.0.113.1", "alice@a.test"), SpfVerdict::Fail);      // -all
  EXPECT_EQ(spf("203.0.113.1", "x@soft.test"), SpfVerdict::SoftFail);
  EXPECT_EQ(spf("203.0.113.1", "x@neutral.test"), SpfVerdict::Neutral);
  EXPECT_EQ(spf("203.0.113.1", "x@nospf.test"), SpfVerdict::None);
  EXPECT_EQ(spf("203.0.113.1", "x@nxdomain.test"), SpfVerdict::None);
}

TEST_F(SpfTest, Errors) {
  EXPECT_EQ(spf("203.0.113.1", "x@broken.test"), SpfVerdict::PermError);
  EXPECT_EQ(spf("203.0.113.1", "x@loop.test"), SpfVerdict::PermError);
  EXPECT_EQ(spf("203.0.113.1", "x@down.test"), SpfVerdict::TempError);
}

TEST_F(SpfTest, NullSenderUsesHelo) {
  SpfResult r = check_spf(dns_, ip("203.0.113.9"), "helo.test", "");
  EXPECT_EQ(r.verdict, SpfVerdict::Pass);
  EXPECT_EQ(r.sender, "postmaster@helo.test");
  EXPECT_EQ(r.domain, "helo.test");
  EXPECT_EQ(check_spf(dns_, ip("203.0.113.8"), "helo.test", "").verdict, SpfVerdict::Fail);
}

class DmarcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dmarc_init());
    dns_.add_txt("_dmarc.a.test", "v=DMARC1; p=reject");
    dns_.add_txt("_dmarc.q.test", "v=DMARC1; p=quarantine; adkim=s");
    dns_.add_txt("_dmarc.n.test", "v=DMARC1; p=none");
    dns_.add_txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine");
    dns_.add_txt("_dmarc.bad.test", "v=DMARC1; p=maybe");
    dns_.fail("_dmarc.slow.test");
  }
  SpfResult spf(SpfVerdict v, std::string domain) { return {v, domain, "x@" + domain}; }
  DkimResult dkim(DkimVerdict v, std::string domain) { return {v, domain, "s", "rsa-sha256", ""}; }
  DmarcResult eval(std::string from, SpfResult s, std::vector<DkimResult> d = {}) {
    return evaluate_dmarc(dns_, IpAddress::parse("192.0.2.1").value(), from, s, d);
  }
  StaticResolver dns_;
};

TEST_F(DmarcTest, OrganizationalDomain) {
  EXPECT_EQ(organizational_domain("mail.example.co.uk"), "example.co.uk");
  EXPECT_EQ(organizational_domain("a.b.example.com"), "example.com");
  EXPECT_EQ(organizational_domain("example.com"), "example.com");
  // A TLD the list does not know is still one label of public suffix (its default rule).
  EXPECT_EQ(organizational_domain("x.a.test"), "a.test");
  EXPECT_EQ(organizational_domain("A.Test."), "a.test");
}

TEST_F(DmarcTest, PassOnAlignedSpfOrDkim) {
  auto r = eval("a.test", spf(SpfVerdict::Pass, "a.test"));
  EXPECT_EQ(r.verdict, DmarcVerdict::Pass);
  EXPECT_EQ(r.disposition, DmarcDisposition::Accept);
  EXPECT_EQ(r.policy, "reject");
  r = eval("a.test", spf(SpfVerdict::Fail, "a.test"), {dkim(DkimVerdict::Pass, "a.test")});
  EXPECT_EQ(r.verdict, DmarcVerdict::Pass);
}

TEST_F(DmarcTest, FailAppliesThePolicy) {
  // SPF passes for another domain, DKIM signed by another domain: not aligned.
  auto r = eval("a.test", spf(SpfVerdict::Pass, "evil.test"), {dkim(DkimVerdict::Pass, "evil.test")});
  EXPECT_EQ(r.verdict, DmarcVerdict::Fail);
  EXPECT_EQ(r.disposition, DmarcDisposition::Reject);
  r = eval("q.test", spf(SpfVerdict::Fail, "q.test"));
  EXPECT_EQ(r.disposition, DmarcDisposition::Quarantine);
  // adkim=s: a signature by the organizational domain does not align with a subdomain.
  r = eval("q.test", spf(SpfVerdict::Fail, "x.test"), {dkim(DkimVerdict::Pass, "q.test")});
  EXPECT_EQ(r.verdict, DmarcVerdict::Pass);
  dns_.add_txt("_dmarc.sub.q.test", "v=DMARC1; p=quarantine; adkim=s");
  r = eval("sub.q.test", spf(SpfVerdict::Fail, "x.test"), {dkim(DkimVerdict::Pass, "q.test")});
  EXPECT_EQ(r.verdict, DmarcVerdict::Fail);
  r = eval("n.test", spf(SpfVerdict::Fail, "n.test"));
  EXPECT_EQ(r.verdict, DmarcVerdict::Fail);
  EXPECT_EQ(r.disposition, DmarcDisposition::Accept);
}

TEST_F(DmarcTest, SubdomainsUseTheOrganizationalRecord) {
  auto r = eval("mail.example.co.uk", spf(SpfVerdict::Fail, "mail.example.co.uk"));
  EXPECT_EQ(r.verdict, DmarcVerdict::Fail);
  EXPECT_EQ(r.disposition, DmarcDisposition::Quarantine);  // sp=
  // Relaxed alignment: a DKIM signature of the organizational domain aligns.
  r = eval("mail.example.co.uk", spf(SpfVerdict::Fail, "x.test"),
           {dkim(DkimVerdict::Pass, "example.co.uk")});
  EXPECT_EQ(r.verdict, DmarcVerdict::Pass);
}

TEST_F(DmarcTest, NoneTempAndPermErrors) {
  EXPECT_EQ(eval("nothing.test", spf(SpfVerdict::Fail, "nothing.test")).verdict, DmarcVerdict::None);
  EXPECT_EQ(eval("slow.test", spf(SpfVerdict::Pass, "slow.test")).verdict, DmarcVerdict::TempError);
  EXPECT_EQ(eval("bad.test", spf(SpfVerdict::Pass, "bad.test")).verdict, DmarcVerdict::PermError);
  // A DNS failure on the way to a verdict is not a failure (§6.6.2).
  EXPECT_EQ(eval("a.test", spf(SpfVerdict::TempError, "a.test")).verdict, DmarcVerdict::TempError);
  EXPECT_EQ(eval("", spf(SpfVerdict::Pass, "a.test")).verdict, DmarcVerdict::None);
}

}  // namespace
}  // namespace roost::mailauth
