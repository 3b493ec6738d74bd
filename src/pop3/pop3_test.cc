// Unit tests of the session-side pieces that need no connection: the command table, the reply
// line and error mapping, and the CAPA list per state. The session itself is tested against the
// real binary (tests/pop3).
#include <gtest/gtest.h>

#include "pop3/capabilities.h"
#include "pop3/command_table.h"
#include "pop3/reply.h"

namespace roost::pop3 {
namespace {

TEST(Pop3CommandTable, EveryVerbHasItsRow) {
  for (Verb verb : {Verb::User, Verb::Pass, Verb::Apop, Verb::Auth, Verb::Stat, Verb::List,
                    Verb::Retr, Verb::Dele, Verb::Noop, Verb::Rset, Verb::Quit, Verb::Top,
                    Verb::Uidl, Verb::Capa, Verb::Stls, Verb::Utf8}) {
    EXPECT_EQ(find_command(verb).verb, verb) << to_string(verb);
  }
  EXPECT_EQ(find_command(Verb::Stat).states, kTransaction);
  EXPECT_EQ(find_command(Verb::Stls).states, kAuthorization);
  EXPECT_EQ(find_command(Verb::Quit).states, kAnyState);
}

TEST(Pop3Reply, Lines) {
  std::string out;
  write_reply(out, Reply::success(""));
  write_reply(out, Reply::success("2 320"));
  write_reply(out, Reply::failure("Maildrop busy", "IN-USE"));
  write_reply(out, Reply::failure("a\r\n+OK injected"));
  EXPECT_EQ(out, "+OK\r\n+OK 2 320\r\n-ERR [IN-USE] Maildrop busy\r\n-ERR a  +OK injected\r\n");
}

TEST(Pop3Reply, ErrorKinds) {
  EXPECT_EQ(reply_for(make_error(ErrorKind::InUse, "x")).code, "IN-USE");
  EXPECT_EQ(reply_for(make_error(ErrorKind::NotFound, "x")).code, "SYS/PERM");
  EXPECT_EQ(reply_for(make_error(ErrorKind::Temporary, "x")).code, "SYS/TEMP");
  Reply internal = reply_for(make_error(ErrorKind::Internal, "x", "secret path"));
  EXPECT_FALSE(internal.ok);
  EXPECT_EQ(internal.code, "SYS/TEMP");
  EXPECT_EQ(internal.text.find("secret"), std::string::npos);
}

TEST(Pop3Capabilities, ByState) {
  std::string before_tls = capability_response(
      {.authorization = true, .passwords_allowed = false, .stls_available = true});
  EXPECT_EQ(before_tls.rfind("+OK", 0), 0u);
  EXPECT_NE(before_tls.find("\r\nSTLS\r\n"), std::string::npos);
  EXPECT_EQ(before_tls.find("\r\nUSER\r\n"), std::string::npos);
  EXPECT_EQ(before_tls.find("SASL"), std::string::npos);
  EXPECT_EQ(before_tls.find("LOGIN-DELAY"), std::string::npos);
  EXPECT_EQ(before_tls.substr(before_tls.size() - 5), "\r\n.\r\n");

  std::string tls = capability_response(
      {.authorization = true, .passwords_allowed = true, .login_delay_seconds = 900});
  EXPECT_NE(tls.find("\r\nUSER\r\n"), std::string::npos);
  EXPECT_NE(tls.find("\r\nSASL PLAIN LOGIN SCRAM-SHA-256\r\n"), std::string::npos);
  EXPECT_NE(tls.find("\r\nLOGIN-DELAY 900\r\n"), std::string::npos);
  EXPECT_EQ(tls.find("STLS"), std::string::npos);

  std::string transaction =
      capability_response({.authorization = false, .passwords_allowed = true});
  EXPECT_EQ(transaction.find("USER"), std::string::npos);
  EXPECT_NE(transaction.find("\r\nTOP\r\n"), std::string::npos);
  EXPECT_NE(transaction.find("\r\nEXPIRE NEVER\r\n"), std::string::npos);
  for (const char* cap : {"UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UTF8"}) {
    EXPECT_NE(transaction.find(std::string("\r\n") + cap + "\r\n"), std::string::npos) << cap;
  }
}

}  // namespace
}  // namespace roost::pop3
