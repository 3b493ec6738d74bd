// SCRAM-SHA-256 against the RFC 7677 §3 example exchange (user "user", password "pencil").
#include "auth/scram.h"

#include <gtest/gtest.h>

namespace roost::auth {
namespace {

constexpr std::string_view kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramCredentials pencil() {
  return derive_scram("pencil", *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
}

TEST(Scram, Rfc7677Example) {
  ScramServer server;
  auto identity = server.client_first(kClientFirst);
  ASSERT_TRUE(identity) << identity.error().describe();
  EXPECT_EQ(identity->authcid, "user");
  EXPECT_EQ(identity->authzid, "");
  EXPECT_EQ(server.server_first(pencil(), kServerNonce), kServerFirst);
  auto final_message = server.client_final(kClientFinal);
  ASSERT_TRUE(final_message) << final_message.error().describe();
  EXPECT_EQ(*final_message, kServerFinal);
}

TEST(Scram, WrongPasswordFailsAtTheProof) {
  ScramServer server;
  ASSERT_TRUE(server.client_first(kClientFirst));
  ScramCredentials other = derive_scram("pencil2", pencil().salt, 4096);
  server.server_first(other, kServerNonce);
  auto r = server.client_final(kClientFinal);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::NoPerm);
}

TEST(Scram, NonceAndBindingMustMatch) {
  ScramServer a;
  ASSERT_TRUE(a.client_first(kClientFirst));
  a.server_first(pencil(), "other-nonce");
  EXPECT_EQ(a.client_final(kClientFinal).error().kind, ErrorKind::NoPerm);
  ScramServer b;  // "y" flag: the client's c= must say "y,,"
  ASSERT_TRUE(b.client_first("y,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
  b.server_first(pencil(), kServerNonce);
  EXPECT_EQ(b.client_final(kClientFinal).error().kind, ErrorKind::Syntax);
}

TEST(Scram, ClientFirstParsing) {
  ScramServer p;
  auto cb = p.client_first("p=tls-unique,,n=user,r=abc");
  ASSERT_FALSE(cb);
  EXPECT_EQ(cb.error().kind, ErrorKind::NoPerm);
  for (std::string_view bad :
       {"", "n", "n,,", "x,,n=user,r=abc", "n,,r=abc,n=user", "n,,n=us=er,r=abc",
        "n,,n=user,r=", "n,,m=ext,n=user,r=abc", "n,b=x,n=user,r=abc"}) {
    ScramServer s;
    auto r = s.client_first(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Syntax) << bad;
  }
  ScramServer s;
  auto id = s.client_first("y,a=b=2Cc,n=a=3Db,r=xyz,e=ext");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->authcid, "a=b");
  EXPECT_EQ(id->authzid, "b,c");
}

TEST(Scram, CredentialsRoundTripInRfc5803Form) {
  ScramCredentials c = pencil();
  std::string text = format_scram(c);
  EXPECT_EQ(text.rfind("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$", 0), 0u) << text;
  auto back = parse_scram(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
  EXPECT_FALSE(parse_scram("SCRAM-SHA-1$4096:abc$def:ghi"));
  EXPECT_FALSE(parse_scram(""));
  auto made = make_scram("pencil");
  ASSERT_TRUE(made);
  EXPECT_EQ(made->salt.size(), 16u);
  EXPECT_EQ(made->iterations, 4096u);
  EXPECT_EQ(make_scram("pencil", 1000).error().kind, ErrorKind::Syntax);
}

TEST(Scram, Base64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm8="), "fo");
  EXPECT_EQ(*base64_decode("Zg=="), "f");
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Z=g="));
  EXPECT_FALSE(base64_decode("Zg==Zg=="));
}

}  // namespace
}  // namespace roost::auth
