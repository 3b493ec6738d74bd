#include "mime/address.h"

#include <gtest/gtest.h>

namespace roost::mime {
namespace {

Address addr(std::optional<std::string> name, std::string mailbox, std::string host,
             std::optional<std::string> adl = std::nullopt) {
  Address a;
  a.name = std::move(name);
  a.adl = std::move(adl);
  a.mailbox = std::move(mailbox);
  a.host = std::move(host);
  return a;
}

Address group_start(std::string name) {
  Address a;
  a.mailbox = std::move(name);
  a.is_group_start = true;
  return a;
}

Address group_end() {
  Address a;
  a.is_group_end = true;
  return a;
}

TEST(AddressList, NameAddrAndAddrSpec) {
  auto l = parse_address_list("John Doe <jdoe@machine.example>, mary@x.test");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0], addr("John Doe", "jdoe", "machine.example"));
  EXPECT_EQ(l[1], addr(std::nullopt, "mary", "x.test"));
}

TEST(AddressList, QuotedNamesAndEncodedWordsStayRaw) {
  auto l = parse_address_list(
      "\"Doe, John\" <j@x.test>, =?utf-8?q?J=C3=B6rg?= <jo@x.test>, \"a\\\"b\" <q@x.test>");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].name, "Doe, John");
  EXPECT_EQ(l[1].name, "=?utf-8?q?J=C3=B6rg?=");
  EXPECT_EQ(l[2].name, "a\"b");
}

TEST(AddressList, CommentsAndCommentAsName) {
  auto l = parse_address_list(
      "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>, jdoe@example.org (John "
      "Doe)");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0], addr("Pete", "pete", "silly.test"));
  EXPECT_EQ(l[1], addr("John Doe", "jdoe", "example.org"));
}

TEST(AddressList, Groups) {
  // RFC 5322 A.1.3.
  auto l = parse_address_list(
      "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Undisclosed:;");
  ASSERT_EQ(l.size(), 7u);
  EXPECT_EQ(l[0], group_start("A Group"));
  EXPECT_EQ(l[1], addr("Ed Jones", "c", "a.test"));
  EXPECT_EQ(l[2], addr(std::nullopt, "joe", "where.test"));
  EXPECT_EQ(l[3], addr("John", "jdoe", "one.test"));
  EXPECT_EQ(l[4], group_end());
  EXPECT_EQ(l[5], group_start("Undisclosed"));
  EXPECT_EQ(l[6], group_end());
}

TEST(AddressList, RouteAndObsoleteSyntax) {
  auto l = parse_address_list(
      "Joe Q. Public <@a.test, @b.test:john.q.public@example.com>, , "
      "\"john doe\"@x.test, jo . hn @ ex . test");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], addr("Joe Q. Public", "john.q.public", "example.com", "@a.test,@b.test"));
  EXPECT_EQ(l[1], addr(std::nullopt, "john doe", "x.test"));
  EXPECT_EQ(l[2], addr(std::nullopt, "jo.hn", "ex.test"));
}

TEST(AddressList, MissingPieces) {
  auto l = parse_address_list("undisclosed-recipients, Bob <bob>, <>, Al <al@[10.0.0.1]>");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0], addr(std::nullopt, "undisclosed-recipients", "MISSING_DOMAIN"));
  EXPECT_EQ(l[1], addr("Bob", "bob", "MISSING_DOMAIN"));
  EXPECT_EQ(l[2], addr(std::nullopt, "", ""));
  EXPECT_EQ(l[3], addr("Al", "al", "[10.0.0.1]"));
}

TEST(AddressList, UnterminatedPieces) {
  // The unclosed quote swallows the rest: Dovecot's placeholder, then the implicit group end.
  auto l = parse_address_list("G: a@b.test, \"Unclosed <c@d.test");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_TRUE(l[0].is_group_start);
  EXPECT_EQ(l[1], addr(std::nullopt, "a", "b.test"));
  EXPECT_EQ(l[2], addr(std::nullopt, "MISSING_MAILBOX", "MISSING_DOMAIN"));
  EXPECT_TRUE(l[3].is_group_end);
  // An angle address without '>': SYNTAX_ERROR host, and the list goes on after the comma.
  l = parse_address_list("Broken <broken@example.com, next@example.com");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0], addr("Broken", "broken", "SYNTAX_ERROR"));
  EXPECT_EQ(l[1], addr(std::nullopt, "next", "example.com"));
  // A route without its ':' and an empty local part.
  l = parse_address_list("<@example.com>, \"\"@example.org, @example.net");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], addr(std::nullopt, "MISSING_MAILBOX", "MISSING_DOMAIN", "INVALID_ROUTE"));
  EXPECT_EQ(l[1], addr(std::nullopt, "", "example.org"));
  EXPECT_EQ(l[2], addr(std::nullopt, "MISSING_MAILBOX", "example.net"));
  EXPECT_TRUE(parse_address_list("").empty());
  EXPECT_TRUE(parse_address_list(" , ;:>)").size() <= 2);
}

TEST(AddressList, ControlBytesAndNulEndTheList) {  // fuzz finding: NUL looped forever
  auto l = parse_address_list(std::string_view("a@exampl\x05\0\0\0e.com", 17));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0], addr(std::nullopt, "a", "exampl"));
}

TEST(AddressList, JunkAfterAMemberEndsTheList) {
  // Bug: a bare CR glued the next header lines on, and "To:" became a group.
  auto l = parse_address_list("Alice <alice@example.org>\rTo: Bob <bob@example.net>\rSubject: x");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0], addr("Alice", "alice", "example.org"));
  // ';' outside a group is not a separator (RFC 5322 §3.4), as in Dovecot.
  EXPECT_EQ(parse_address_list("a@x.org; b@y.org").size(), 1u);
  // A group inside a group is not allowed: the open group ends there.
  l = parse_address_list("Outer: Inner: x@y.z;;");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], group_start("Outer"));
  EXPECT_EQ(l[1], addr(std::nullopt, "Inner", "MISSING_DOMAIN"));
  EXPECT_TRUE(l[2].is_group_end);
}

TEST(AddressList, Format) {
  auto l = parse_address_list("=?utf-8?q?J=C3=B6rg?= <jo@x.test>, G:a@b.test;, plain@y.test");
  EXPECT_EQ(format_address_list(l), "J\xC3\xB6rg <jo@x.test>, a@b.test, plain@y.test");
}

}  // namespace
}  // namespace roost::mime
