#include "mailauth/dkim.h"

#include <gtest/gtest.h>

#include "mailauth/dkim_signer.h"
#include "mailauth/static_resolver.h"

namespace roost::mailauth {
namespace {

const std::string kMessage =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Lunch\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n"
    "\r\n"
    "See you at noon.\r\n";

class DkimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dkim_ = Dkim::create().value();
    ed_ = generate_dkim_key("example.org", "ed", DkimAlgorithm::Ed25519).value();
    rsa_ = generate_dkim_key("Example.ORG", "rsa", DkimAlgorithm::Rsa).value();
    dns_.add_txt(ed_.dns_name(), ed_.dns_record());
    dns_.add_txt(rsa_.dns_name(), rsa_.dns_record());
  }

  std::string sign(const std::string& message, std::vector<const DkimKey*> keys) {
    std::string fields;
    for (const DkimKey* key : keys) fields += dkim_sign(message, *key, 1795000000).value();
    return fields;
  }
  std::string signed_message(const std::string& message) {
    return sign(message, {&ed_, &rsa_}) + message;
  }

  std::unique_ptr<Dkim> dkim_;
  DkimKey ed_, rsa_;
  StaticResolver dns_;
};

TEST_F(DkimTest, SignsWithBothAlgorithmsAndVerifies) {
  EXPECT_EQ(rsa_.domain, "example.org");
  EXPECT_EQ(ed_.dns_record().substr(0, 21), "v=DKIM1; k=ed25519; p");
  std::string fields = sign(kMessage, {&ed_, &rsa_});
  EXPECT_EQ(fields.rfind("DKIM-Signature: ", 0), 0u) << fields;
  EXPECT_NE(fields.find("a=ed25519-sha256"), std::string::npos) << fields;
  EXPECT_NE(fields.find("a=rsa-sha256"), std::string::npos) << fields;
  EXPECT_EQ(fields.find('\n'), fields.find("\r\n") + 1) << "folded with CRLF";
  auto results = dkim_->verify(fields + kMessage, dns_);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_EQ(r.verdict, DkimVerdict::Pass) << r.algorithm << ": " << r.reason;
    EXPECT_EQ(r.domain, "example.org");
  }
  EXPECT_EQ(results[0].selector == "ed" ? results[0].algorithm : results[1].algorithm,
            "ed25519-sha256");
}

TEST_F(DkimTest, ChangedBodyOrHeaderFails) {
  std::string message = signed_message(kMessage);
  std::string body_changed = message;
  body_changed.replace(body_changed.find("noon"), 4, "one!");
  for (const auto& r : dkim_->verify(body_changed, dns_)) {
    EXPECT_EQ(r.verdict, DkimVerdict::Fail);
    EXPECT_EQ(r.reason, "the body was changed");
  }
  std::string subject_changed = message;
  subject_changed.replace(subject_changed.find("Lunch"), 5, "Money");
  for (const auto& r : dkim_->verify(subject_changed, dns_)) {
    EXPECT_EQ(r.verdict, DkimVerdict::Fail);
  }
  // A second From: on top is covered by the over-signed From.
  for (const auto& r : dkim_->verify("From: mallory@example.org\r\n" + message, dns_)) {
    EXPECT_EQ(r.verdict, DkimVerdict::Fail);
  }
}

TEST_F(DkimTest, RelaxedCanonicalizationToleratesWhitespace) {
  std::string message = signed_message(kMessage);
  message.replace(message.find("Subject: Lunch"), 14, "Subject:   Lunch  ");
  for (const auto& r : dkim_->verify(message, dns_)) EXPECT_EQ(r.verdict, DkimVerdict::Pass);
}

TEST_F(DkimTest, KeyProblems) {
  std::string message = signed_message(kMessage);
  StaticResolver no_keys;
  no_keys.add_txt("example.org", "v=spf1 -all");
  for (const auto& r : dkim_->verify(message, no_keys)) {
    EXPECT_EQ(r.verdict, DkimVerdict::PermError) << r.reason;
  }
  StaticResolver down;
  down.fail(ed_.dns_name());
  down.fail(rsa_.dns_name());
  for (const auto& r : dkim_->verify(message, down)) {
    EXPECT_EQ(r.verdict, DkimVerdict::TempError) << r.reason;
  }
  // A key that does not match the signature (rotated in DNS).
  DkimKey other = generate_dkim_key("example.org", "ed", DkimAlgorithm::Ed25519).value();
  StaticResolver rotated;
  rotated.add_txt(ed_.dns_name(), other.dns_record());
  auto results = dkim_->verify(sign(kMessage, {&ed_}) + kMessage, rotated);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, DkimVerdict::Fail);
}

TEST_F(DkimTest, SignsWhatIsThereAndFoldsLongFields) {
  std::string message =
      "from: a@example.org\r\nSubject:  folded\r\n\tsubject \r\nX-Other: not signed\r\n"
      "To: " + std::string(300, 'b') + "@example.net\r\n\r\nbody  with \t space  \r\n\r\n\r\n";
  std::string field = dkim_sign(message, rsa_, 1795000000).value();
  EXPECT_NE(field.find("h=from:from:subject:to;"), std::string::npos) << field;
  size_t start = 0;
  for (size_t eol; (eol = field.find("\r\n", start)) != std::string::npos; start = eol + 2)
    EXPECT_LE(eol - start, 78u) << field;
  auto results = dkim_->verify(field + message, dns_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, DkimVerdict::Pass) << results[0].reason;
  EXPECT_FALSE(dkim_sign("Subject: no from\r\n\r\nx\r\n", rsa_, 1));
}

TEST(DkimCanonicalization, Relaxed) {
  EXPECT_EQ(relaxed_header("SubJect \t:  A  \r\n\tb\t c  "), "subject:A b c");
  EXPECT_EQ(relaxed_body(" C \r\nD \t E\r\n\r\n\r\n"), " C\r\nD E\r\n");
  EXPECT_EQ(relaxed_body("\r\n\r\n"), "");
  EXPECT_EQ(relaxed_body("no newline"), "no newline\r\n");
  EXPECT_EQ(relaxed_body("a\r\n\r\nb\r\n"), "a\r\n\r\nb\r\n");
}

TEST_F(DkimTest, UnsignedMessageHasNoResults) {
  EXPECT_TRUE(dkim_->verify(kMessage, dns_).empty());
}

TEST(DkimKeyTest, KeyringSavesLoadsAndRefusesOverwrite) {
  std::string dir = ::testing::TempDir() + "/dkim-keys-" + std::to_string(::getpid());
  DkimKey ed = generate_dkim_key("example.org", "s1", DkimAlgorithm::Ed25519).value();
  DkimKey rsa = generate_dkim_key("example.org", "s2", DkimAlgorithm::Rsa, 1024).value();
  ASSERT_TRUE(DkimKeyring::save(dir, rsa));
  ASSERT_TRUE(DkimKeyring::save(dir, ed));
  auto again = DkimKeyring::save(dir, ed);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::Exists);
  DkimKeyring ring = DkimKeyring::load(dir).value();
  auto keys = ring.keys_for("EXAMPLE.org");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0]->algorithm, DkimAlgorithm::Ed25519);
  EXPECT_EQ(keys[0]->public_base64, ed.public_base64);
  EXPECT_EQ(keys[1]->dns_record(), rsa.dns_record());
  EXPECT_TRUE(ring.keys_for("example.net").empty());
  EXPECT_TRUE(DkimKeyring::load(dir + "/missing").value().all().empty());
  EXPECT_FALSE(generate_dkim_key("exa mple.org", "s", DkimAlgorithm::Ed25519));
  EXPECT_FALSE(generate_dkim_key("example.org", "../x", DkimAlgorithm::Ed25519));
}

}  // namespace
}  // namespace roost::mailauth
