#include "net/tls_context.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/env.h"

namespace roost::net {

namespace ssl = boost::asio::ssl;

namespace {

// RFC 9325 §4.2 recommended TLS 1.2 suites: forward secrecy and AEAD only.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Error crypto_error(std::string_view what) {
  return make_error(ErrorKind::Internal, fmt::format("cannot {}", what), openssl_errors());
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

Result<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0) return crypto_error("read PEM buffer");
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const TlsFiles& files) {
  Env& env = Env::real();
  for (const std::string* path : {&files.cert_path, &files.key_path}) {
    if (path->empty() || !env.exists(*path)) {
      return make_error(ErrorKind::NotFound, fmt::format("TLS file '{}' not found", *path));
    }
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // RFC 8996: TLS 1.0/1.1 are deprecated; RFC 9325 §3.3: no compression; §3.5: no renegotiation.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return crypto_error("set TLS 1.2 cipher list");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.cert_path, ec);
  if (ec) {
    return make_error(ErrorKind::Syntax,
                      fmt::format("cannot load TLS certificate '{}'", files.cert_path),
                      ec.message() + " " + openssl_errors());
  }
  ctx->use_private_key_file(files.key_path, ssl::context::pem, ec);
  if (ec) {
    return make_error(ErrorKind::Syntax, fmt::format("cannot load TLS key '{}'", files.key_path),
                      ec.message() + " " + openssl_errors());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return make_error(ErrorKind::Syntax,
                      fmt::format("TLS key '{}' does not match certificate '{}'", files.key_path,
                                  files.cert_path),
                      openssl_errors());
  }
  return ctx;
}

Status ensure_self_signed_certificate(const TlsFiles& files, std::string_view hostname) {
  Env& env = Env::real();
  if (env.exists(files.cert_path) && env.exists(files.key_path)) return ok();
  std::string host(hostname.empty() ? "localhost" : hostname);

  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return crypto_error("generate EC P-256 key");
  X509Ptr cert(X509_new());
  if (!cert) return crypto_error("allocate certificate");
  X509_set_version(cert.get(), X509_VERSION_3);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return crypto_error("draw serial number");
  serial[0] &= 0x7f;  // RFC 5280 §4.1.2.2: serial is a positive integer
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* sn = bn ? BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) : nullptr;
  BN_free(bn);
  if (!sn) return crypto_error("set serial number");
  constexpr long kTenYears = 10L * 365 * 24 * 3600;
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), kTenYears)) {
    return crypto_error("set validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Roost self-signed"), -1, -1,
                             0);
  std::string cn = host.substr(0, 64);  // RFC 5280 ub-common-name
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());

  // RFC 6125 §6.4.4: clients check subjectAltName, never the CN, so list every name here.
  std::string san = is_ip_literal(host) ? "IP:" + host : "DNS:" + host;
  if (host != "localhost") san += ",DNS:localhost";
  if (host != "127.0.0.1") san += ",IP:127.0.0.1";
  if (!add_extension(cert.get(), NID_subject_alt_name, san) ||
      !add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return crypto_error("add certificate extensions");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return crypto_error("sign certificate");

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return crypto_error("encode PEM");
  }
  auto key_pem = bio_text(key_bio.get());
  if (!key_pem) return key_pem.error();
  auto cert_pem = bio_text(cert_bio.get());
  if (!cert_pem) return cert_pem.error();
  for (const std::string* path : {&files.key_path, &files.cert_path}) {
    auto slash = path->rfind('/');
    if (slash != std::string::npos && slash > 0) ROOST_TRY(env.make_dirs(path->substr(0, slash)));
  }
  // Env creates files 0600; the key goes first so a cert never exists without its key.
  ROOST_TRY(env.write_file_atomic(files.key_path, *key_pem));
  ROOST_TRY(env.write_file_atomic(files.cert_path, *cert_pem));
  return ok();
}

}  // namespace roost::net
