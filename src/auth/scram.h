// SCRAM-SHA-256 (RFC 5802, RFC 7677): the stored credentials and the server side of the
// exchange. Pure apart from the random salt and nonce helpers; the caller fetches credentials
// (Directory) and moves the messages over its protocol (IMAP AUTHENTICATE).
//
// Channel binding is not supported: we advertise SCRAM-SHA-256 only (never -PLUS), so a client
// may send gs2 flag "n" or "y" (RFC 5802 §6); "p=" is refused. make_scram() derives the keys
// from SASLprep(password) (RFC 4013, auth/saslprep.h); derive_scram() takes the bytes as given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::auth {

inline constexpr uint32_t kScramMinIterations = 4096;  // RFC 7677 §4
inline constexpr uint32_t kScramIterations = 4096;

// What the server keeps instead of the password (RFC 5802 §3); keys are raw SHA-256 bytes.
struct ScramCredentials {
  std::string salt;
  uint32_t iterations = kScramIterations;
  std::string stored_key;  // H(HMAC(SaltedPassword, "Client Key"))
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")
  bool operator==(const ScramCredentials&) const = default;
};

ScramCredentials derive_scram(std::string_view password, std::string_view salt,
                              uint32_t iterations);
// Fresh random 16-byte salt; Syntax for fewer than kScramMinIterations iterations.
Result<ScramCredentials> make_scram(std::string_view password,
                                    uint32_t iterations = kScramIterations);

// RFC 5803 form: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (BASE64).
std::string format_scram(const ScramCredentials& credentials);
Result<ScramCredentials> parse_scram(std::string_view text);

// Random printable nonce without ',' (RFC 5802 §5.1 "r=").
std::string scram_nonce();

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);  // strict, padded (RFC 4648 §4)

// One server-side exchange. Call client_first, server_first, client_final in that order.
// Errors: Syntax for a malformed message (or "p=" channel binding: NoPerm with that text),
// NoPerm "authentication failed" for a wrong proof or a nonce that does not match.
class ScramServer {
 public:
  struct Identity {
    std::string authcid;  // the "n=" user name, decoded
    std::string authzid;  // the "a=" identity to act as, decoded; empty = the same user
  };

  Result<Identity> client_first(std::string_view message);
  // server_nonce: scram_nonce() in production, fixed in tests.
  std::string server_first(const ScramCredentials& credentials, std::string_view server_nonce);
  // The server-final-message "v=..." when the proof is right.
  Result<std::string> client_final(std::string_view message);

 private:
  enum class Step { ClientFirst, ServerFirst, ClientFinal, Done };
  Step step_ = Step::ClientFirst;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string client_nonce_;
  std::string server_first_;
  std::string nonce_;  // client nonce + server nonce
  ScramCredentials credentials_;
};

}  // namespace roost::auth
