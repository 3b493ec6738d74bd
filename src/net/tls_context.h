// Server TLS contexts and the self-signed first-run certificate. Thread-safe (no shared state).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::net {

struct TlsFiles {
  std::string cert_path;  // PEM chain; empty cert_path = no TLS in this process
  std::string key_path;   // PEM private key
};

// TLS 1.2+ only, ECDHE with AES-GCM/CHACHA20-POLY1305 (RFC 8996, RFC 9325 §4.2), server
// preference, no compression (CRIME, RFC 9325 §3.3), no renegotiation; session tickets on.
// Errors: NotFound (file missing), Syntax (unparsable PEM or key/cert mismatch).
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(const TlsFiles& files);

// Generates a self-signed EC P-256 pair (SAN: DNS:hostname or IP, DNS:localhost, IP:127.0.0.1;
// valid 10 years) when the cert or the key file is missing; ok and untouched when both exist.
// Both files are written atomically (Env::write_file_atomic) with mode 0600.
Status ensure_self_signed_certificate(const TlsFiles& files, std::string_view hostname);

}  // namespace roost::net
