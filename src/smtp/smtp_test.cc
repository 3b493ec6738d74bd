// Unit tests of the SMTP pieces below the session: recipient resolution (aliases, plus
// addressing, catch-all, may_send_as), the hourly send limit, the spool and the reply writer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "mailauth/dkim_signer.h"
#include "mailauth/static_resolver.h"
#include "smtp/mail_checks.h"
#include "smtp/message_spool.h"
#include "smtp/recipient_resolver.h"
#include "smtp/reply.h"
#include "smtp/send_rate_limiter.h"

namespace roost::smtp {
namespace {

store::Account account(store::AccountId id, std::string name) {
  store::Account a;
  a.id = id;
  a.name = std::move(name);
  return a;
}

RecipientResolver::AccountLookup fake_accounts() {
  return [](std::string_view name) -> Result<store::Account> {
    if (name == "alice") return account(1, "alice");
    if (name == "bob@example.org") return account(2, "bob@example.org");
    if (name == "carol+x") return account(3, "carol+x");
    return make_error(ErrorKind::NotFound, "no account");
  };
}

RecipientResolver resolver() {
  auto rules = parse_recipient_rules(
      {"example.org", "Example.COM"},
      {"sales@example.org=alice", "info@example.com=bob@example.org", "@example.net=@example.org",
       "@example.com=alice", "ünï@example.org=bob@example.org", "loop@example.org=loop@example.org"});
  EXPECT_TRUE(rules) << rules.error().text;
  return RecipientResolver(*rules);
}

Resolution resolve(const RecipientResolver& r, std::string_view address) {
  auto path = parse_mailbox(address);
  EXPECT_TRUE(path) << address;
  auto res = r.resolve(*path, fake_accounts());
  EXPECT_TRUE(res);
  return *res;
}

store::AccountId resolved_id(const RecipientResolver& r, std::string_view address) {
  Resolution res = resolve(r, address);
  return res.kind == RecipientKind::Local ? res.account->id : 0;
}

TEST(SmtpRecipients, AccountsAliasesDomains) {
  RecipientResolver r = resolver();
  EXPECT_EQ(resolved_id(r, "alice@example.org"), 1);
  EXPECT_EQ(resolved_id(r, "ALICE@EXAMPLE.ORG"), 1);
  EXPECT_EQ(resolved_id(r, "bob@example.org"), 2);
  EXPECT_EQ(resolved_id(r, "sales@example.org"), 1);
  EXPECT_EQ(resolved_id(r, "info@example.com"), 2);
  EXPECT_EQ(resolved_id(r, "alice@example.net"), 1);  // domain alias
  EXPECT_EQ(resolved_id(r, "ünï@example.org"), 2);    // UTF-8 alias
  EXPECT_EQ(resolve(r, "nobody@example.org").kind, RecipientKind::Unknown);
  EXPECT_EQ(resolve(r, "loop@example.org").kind, RecipientKind::Unknown);
  EXPECT_EQ(resolve(r, "alice@elsewhere.test").kind, RecipientKind::Remote);
  EXPECT_TRUE(r.is_local_domain("EXAMPLE.net"));
  EXPECT_FALSE(r.is_local_domain("example.info"));
}

TEST(SmtpRecipients, PlusAddressingAndCatchAll) {
  RecipientResolver r = resolver();
  Resolution plus = resolve(r, "alice+lists@example.org");
  ASSERT_EQ(plus.kind, RecipientKind::Local);
  EXPECT_EQ(plus.account->id, 1);
  EXPECT_EQ(plus.tag, "lists");
  EXPECT_EQ(resolved_id(r, "carol+x@example.org"), 3);  // a real account with '+' wins
  EXPECT_EQ(resolve(r, "carol+x@example.org").tag, "");
  EXPECT_EQ(resolved_id(r, "whoever@example.com"), 1);  // catch-all
  EXPECT_EQ(resolve(r, "+x@example.org").kind, RecipientKind::Unknown);
}

TEST(SmtpRecipients, MaySendAs) {
  RecipientResolver r = resolver();
  auto may = [&](store::AccountId id, std::string_view addr) {
    auto p = parse_mailbox(addr);
    EXPECT_TRUE(p);
    auto ok = r.may_send_as(account(id, "x"), *p, fake_accounts());
    EXPECT_TRUE(ok);
    return *ok;
  };
  EXPECT_TRUE(may(1, "alice@example.org"));
  EXPECT_TRUE(may(1, "sales@example.org"));
  EXPECT_TRUE(may(1, "alice+tag@example.org"));
  EXPECT_FALSE(may(1, "bob@example.org"));
  EXPECT_FALSE(may(1, "whoever@example.com"));  // the catch-all is not a sender identity
  EXPECT_FALSE(may(1, "alice@elsewhere.test"));
}

TEST(SmtpRecipients, BadRules) {
  EXPECT_FALSE(parse_recipient_rules({"bad domain"}, {}));
  EXPECT_FALSE(parse_recipient_rules({}, {"noequals"}));
  EXPECT_FALSE(parse_recipient_rules({}, {"a@b.c=@d.e"}));
  EXPECT_FALSE(parse_recipient_rules({}, {"not an address=alice"}));
}

TEST(SmtpRateLimit, SlidingHour) {
  FakeClock clock(1000000);
  SendRateLimiter limiter(2, clock);
  EXPECT_TRUE(limiter.allowed(1));
  limiter.record(1);
  limiter.record(1);
  EXPECT_FALSE(limiter.allowed(1));
  EXPECT_TRUE(limiter.allowed(2));
  clock.advance_seconds(3601);
  EXPECT_TRUE(limiter.allowed(1));
  SendRateLimiter unlimited(0, clock);
  for (int i = 0; i < 10; ++i) unlimited.record(1);
  EXPECT_TRUE(unlimited.allowed(1));
}

TEST(SmtpSpool, SpillsAndReadsBackInOrder) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("roost-spool-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/m1";
  {
    MessageSpool spool(path, 10);
    spool.append("Subject: x\r\n");
    ASSERT_TRUE(spool.wants_spill());
    ASSERT_TRUE(spool.spill());
    EXPECT_TRUE(std::filesystem::exists(path));
    spool.append("\r\nbody\r\n");
    std::string all;
    ASSERT_TRUE(spool.for_each_chunk([&](std::string_view c) {
      all += c;
      return ok();
    }));
    EXPECT_EQ(all, "Subject: x\r\n\r\nbody\r\n");
    EXPECT_EQ(spool.size(), all.size());
    EXPECT_EQ(spool.head(), all);
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // the destructor removes the file
  std::filesystem::remove_all(dir);
}

// Reads a spool back as one string.
std::string spooled(const MessageSpool& spool) {
  std::string all;
  EXPECT_TRUE(spool.for_each_chunk([&](std::string_view c) {
    all += c;
    return ok();
  }));
  return all;
}

TEST(SmtpSpool, KeepsMessagesInMemoryWithinTheBudgets) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("roost-spool-mem-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  SpoolMemory budget(1024 * 1024);
  std::string expected;
  {
    MessageSpool spool(dir + "/a", 512 * 1024, &budget);
    for (int i = 0; i < 3000; ++i) {  // 300 KB in pieces of 100 bytes
      std::string piece(100, static_cast<char>('a' + i % 26));
      spool.append(piece);
      expected += piece;
      ASSERT_FALSE(spool.wants_spill());
    }
    EXPECT_FALSE(spool.has_file());
    EXPECT_EQ(budget.used(), expected.size());
    EXPECT_EQ(spooled(spool), expected);
    EXPECT_EQ(spool.head(), expected.substr(0, MessageSpool::kHeadBytes));
    // Past its own limit the message goes to the file, all of it, in order.
    std::string more(300 * 1024, 'z');
    spool.append(more);
    expected += more;
    ASSERT_TRUE(spool.wants_spill());
    ASSERT_TRUE(spool.spill());
    EXPECT_TRUE(spool.has_file());
    EXPECT_EQ(budget.used(), 0u);  // what went to the file is given back
    spool.append("tail");
    expected += "tail";
    EXPECT_EQ(spooled(spool), expected);
    EXPECT_EQ(spool.size(), expected.size());
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/a"));
  EXPECT_EQ(budget.used(), 0u);
  std::filesystem::remove_all(dir);
}

TEST(SmtpSpool, SharedBudgetSendsLaterMessagesToFiles) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("roost-spool-shared-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  SpoolMemory budget(400 * 1024);
  MessageSpool first(dir + "/1", 4 * 1024 * 1024, &budget);
  first.append(std::string(300 * 1024, 'a'));
  EXPECT_FALSE(first.wants_spill());
  EXPECT_EQ(budget.used(), 300u * 1024);
  // The second does not fit beside the first: it is written to its file as it arrives.
  MessageSpool second(dir + "/2", 4 * 1024 * 1024, &budget);
  std::string expected;
  for (int i = 0; i < 8; ++i) {
    std::string piece(64 * 1024, static_cast<char>('0' + i));
    second.append(piece);
    expected += piece;
    if (second.wants_spill()) {
      ASSERT_TRUE(second.spill());
    }
  }
  EXPECT_TRUE(second.has_file());
  EXPECT_EQ(budget.used(), 300u * 1024);
  EXPECT_EQ(spooled(second), expected);
  first.clear();
  EXPECT_EQ(budget.used(), 0u);
  // With the budget free again, a new message stays in memory.
  second.clear();
  second.append("Subject: small\r\n\r\nbody\r\n");
  EXPECT_FALSE(second.has_file());
  EXPECT_EQ(spooled(second), "Subject: small\r\n\r\nbody\r\n");
  second.clear();
  std::filesystem::remove_all(dir);
}

// The port-25 check reads only the header section of unsigned mail, and the whole message of
// signed mail (the body hash), wherever the spool keeps it.
TEST(SmtpInboundCheck, UnsignedHeaderOnlySignedWhole) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("roost-inbound-check-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto key = mailauth::generate_dkim_key("a.test", "ed", mailauth::DkimAlgorithm::Ed25519).value();
  mailauth::StaticResolver dns;
  dns.add_txt(key.dns_name(), key.dns_record());
  dns.add_txt("a.test", "v=spf1 ip4:192.0.2.10 -all");
  dns.add_txt("_dmarc.a.test", "v=DMARC1; p=reject");
  auto auth = mailauth::Authenticator::create(dns, "mx.b.test").value();
  InboundCheck check = make_inbound_check(*auth);
  std::string body;
  for (int i = 0; body.size() < 300 * 1024; ++i) body += "line " + std::to_string(i) + "\r\n";
  std::string unsigned_message =
      "From: alice@a.test\r\nAuthentication-Results: mx.b.test; dkim=pass\r\n"
      "Subject: big\r\n\r\n" + body;
  std::string signed_message =
      mailauth::dkim_sign(unsigned_message, key, 1795000000).value() + unsigned_message;
  auto envelope = [](std::string client) {
    return InboundEnvelope{client, "mail.a.test", parse_mailbox("alice@a.test").value(), {}, true,
                           false};
  };
  int n = 0;
  for (size_t memory : {size_t{8 * 1024 * 1024}, size_t{16}}) {  // in memory; in the file
    for (const std::string* message : {&unsigned_message, &signed_message}) {
      MessageSpool spool(dir + "/m" + std::to_string(n++), memory);
      for (size_t at = 0; at < message->size(); at += 10000) {
        spool.append(std::string_view(*message).substr(at, 10000));
        if (spool.wants_spill()) {
          ASSERT_TRUE(spool.spill());
        }
      }
      auto v = check(envelope("192.0.2.10"), spool);
      ASSERT_TRUE(v);
      EXPECT_EQ(v->action, InboundVerdict::Action::Accept);
      bool is_signed = message == &signed_message;
      EXPECT_NE(v->headers.find(is_signed ? "dkim=pass" : "dkim=none"), std::string::npos)
          << v->headers;
      // The forged verdict field, as offsets into the message as received.
      ASSERT_EQ(v->drop.size(), 1u);
      EXPECT_EQ(message->substr(v->drop[0].first, v->drop[0].second - v->drop[0].first),
                "Authentication-Results: mx.b.test; dkim=pass\r\n");
      // A forged sender of the p=reject domain: DKIM does not save the unsigned one.
      auto forged = check(envelope("203.0.113.66"), spool);
      ASSERT_TRUE(forged);
      EXPECT_EQ(forged->action, is_signed ? InboundVerdict::Action::Accept
                                          : InboundVerdict::Action::Reject);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(SmtpReply, MultiLineAndInjection) {
  Reply r = Reply::make(250, "", "mx greets you");
  r.more = {"PIPELINING", "SIZE 10"};
  std::string out;
  write_reply(out, r);
  EXPECT_EQ(out, "250-mx greets you\r\n250-PIPELINING\r\n250 SIZE 10\r\n");
  out.clear();
  write_reply(out, Reply::make(550, "5.1.1", "bad\r\n250 ok"));
  EXPECT_EQ(out, "550 5.1.1 bad  250 ok\r\n");
  EXPECT_EQ(reply_for(make_error(ErrorKind::OverQuota, "x")).code, 552);
  EXPECT_EQ(reply_for(make_error(ErrorKind::Internal, "x")).enhanced, "4.3.0");
}

}  // namespace
}  // namespace roost::smtp
