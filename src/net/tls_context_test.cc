#include "net/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>

#include "base/env.h"
#include "net/test_client.h"

namespace roost::net {
namespace {

TEST(TlsContext, SelfSignedPairIsLoadableWithPrivateKeyMode0600) {
  testing::TempDir dir;
  TlsFiles files{dir.file("tls/cert.pem"), dir.file("tls/key.pem")};
  ASSERT_TRUE(ensure_self_signed_certificate(files, "mail.example.org"));
  struct stat st {};
  ASSERT_EQ(::stat(files.key_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto ctx = make_server_tls_context(files);
  ASSERT_TRUE(ctx) << ctx.error().describe();

  FILE* f = std::fopen(files.cert_path.c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "mail.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(cert, "other.example.org", 0, 0, nullptr), 0);
  // ~10 years of validity.
  int days = 0, secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)), 1);
  EXPECT_GE(days, 3650);
  X509_free(cert);

  // Present files are left alone.
  auto before = Env::real().read_file(files.cert_path);
  ASSERT_TRUE(ensure_self_signed_certificate(files, "other.example.org"));
  EXPECT_EQ(*Env::real().read_file(files.cert_path), *before);
}

TEST(TlsContext, MissingOrBrokenFilesAreErrors) {
  testing::TempDir dir;
  TlsFiles files{dir.file("cert.pem"), dir.file("key.pem")};
  auto ctx = make_server_tls_context(files);
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().kind, ErrorKind::NotFound);
  ASSERT_TRUE(ensure_self_signed_certificate(files, "127.0.0.1"));
  TlsFiles other{dir.file("c2.pem"), dir.file("k2.pem")};
  ASSERT_TRUE(ensure_self_signed_certificate(other, "localhost"));
  ctx = make_server_tls_context({files.cert_path, other.key_path});
  ASSERT_FALSE(ctx);
  EXPECT_EQ(ctx.error().kind, ErrorKind::Syntax);
}

}  // namespace
}  // namespace roost::net
