#include "smtp/proto/address.h"

#include <gtest/gtest.h>

namespace roost::smtp {
namespace {

Result<Path> path(std::string_view text, bool null = true, bool postmaster = true) {
  size_t used = 0;
  auto p = parse_path(text, used, {}, null, postmaster);
  if (p) {
    EXPECT_EQ(used, text.size()) << text;
  }
  return p;
}

TEST(SmtpAddress, Plain) {
  auto p = path("<Alice.Smith@Example.org>");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->local, "Alice.Smith");
  EXPECT_EQ(p->domain, "Example.org");
  EXPECT_EQ(p->address(), "Alice.Smith@Example.org");
  EXPECT_FALSE(p->is_utf8());
}

TEST(SmtpAddress, NullAndPostmaster) {
  ASSERT_TRUE(path("<>"));
  EXPECT_TRUE(path("<>")->is_null());
  EXPECT_FALSE(path("<>", false));
  auto pm = path("<PostMaster>");
  ASSERT_TRUE(pm);
  EXPECT_EQ(pm->address(), "postmaster");
  EXPECT_FALSE(path("<postmaster>", true, false));
}

TEST(SmtpAddress, QuotedLocalPart) {
  auto p = path(R"(<"john \"jr\" doe"@example.org>)");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->local, R"(john "jr" doe)");
  EXPECT_EQ(p->address(), R"("john \"jr\" doe"@example.org)");
  EXPECT_FALSE(path("<\"unterminated@example.org>"));
}

TEST(SmtpAddress, Utf8) {
  auto p = path("<用户@例子.测试>");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->is_utf8());
  EXPECT_EQ(p->local, "用户");
  EXPECT_FALSE(path("<\xff\xfe@example.org>"));     // not UTF-8
  EXPECT_FALSE(path("<a@exa\xc0\x80mple.org>"));    // overlong
}

TEST(SmtpAddress, SourceRouteIgnored) {
  auto p = path("<@relay1,@relay2:bob@example.org>");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address(), "bob@example.org");
}

TEST(SmtpAddress, AddressLiteral) {
  auto p = path("<bob@[192.0.2.1]>");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->domain, "[192.0.2.1]");
}

TEST(SmtpAddress, Rejects) {
  for (std::string_view bad :
       {"bob@example.org", "<bob@example.org", "<bob>", "<@example.org>", "<.bob@example.org>",
        "<bo..b@example.org>", "<bob@-example.org>", "<bob@example..org>", "<bob@exa mple.org>",
        "<bob@example-.org>", "<bob@[1.2.3.4>", "<b(o)b@example.org>"}) {
    EXPECT_FALSE(path(bad)) << bad;
  }
}

TEST(SmtpAddress, Limits) {
  std::string local(65, 'a');
  EXPECT_FALSE(path("<" + local + "@example.org>"));
  EXPECT_TRUE(path("<" + local.substr(1) + "@example.org>"));
  std::string domain;
  while (domain.size() < 250) domain += "abcdefghi.";
  domain += "org";
  EXPECT_FALSE(path("<a@" + domain + ">"));
}

TEST(SmtpAddress, Mailbox) {
  auto m = parse_mailbox("info@example.org");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->local, "info");
  EXPECT_FALSE(parse_mailbox("info@example.org>"));
  EXPECT_FALSE(parse_mailbox("info"));
}

TEST(SmtpAddress, Utf8Validator) {
  EXPECT_TRUE(is_valid_utf8("héllo ✓ 😀"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));  // truncated
}

}  // namespace
}  // namespace roost::smtp
