#include "auth/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "auth/saslprep.h"

namespace roost::auth {
namespace {

constexpr std::string_view kMechanism = "SCRAM-SHA-256";
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Error malformed(std::string_view what) {
  return make_error(ErrorKind::Syntax, "Malformed SCRAM message", std::string(what));
}
Error auth_failed() { return make_error(ErrorKind::NoPerm, "authentication failed"); }

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string sha256(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

// Splits "a=1,b=2" into attributes; each must be "<letter>=<value>".
std::optional<std::vector<std::pair<char, std::string_view>>> attributes(std::string_view text) {
  std::vector<std::pair<char, std::string_view>> out;
  while (true) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    if (part.size() < 2 || part[1] != '=' || !std::isalpha(static_cast<unsigned char>(part[0]))) {
      return std::nullopt;
    }
    out.emplace_back(part[0], part.substr(2));
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

// RFC 5802 §5.1 saslname: "=2C" is ',', "=3D" is '='; any other '=' is an error.
std::optional<std::string> decode_saslname(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
      continue;
    }
    std::string_view escape = text.substr(i + 1, 2);
    if (escape == "2C") {
      out += ',';
    } else if (escape == "3D") {
      out += '=';
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

bool printable_nonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return malformed("base64 length");
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      size_t v = kAlphabet.find(c);
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
        v = 0;
      } else if (v == std::string_view::npos || pad > 0) {
        return malformed("base64 character");
      }
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

ScramCredentials derive_scram(std::string_view password, std::string_view salt,
                              uint32_t iterations) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> salted{};
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                    static_cast<int>(salted.size()), salted.data());
  std::string_view salted_password(reinterpret_cast<const char*>(salted.data()), salted.size());
  ScramCredentials out;
  out.salt = std::string(salt);
  out.iterations = iterations;
  out.stored_key = sha256(hmac(salted_password, "Client Key"));
  out.server_key = hmac(salted_password, "Server Key");
  OPENSSL_cleanse(salted.data(), salted.size());
  return out;
}

Result<ScramCredentials> make_scram(std::string_view password, uint32_t iterations) {
  if (iterations < kScramMinIterations) {
    return make_error(ErrorKind::Syntax, "SCRAM needs at least 4096 iterations");
  }
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    return make_error(ErrorKind::Internal, "no random bytes for a SCRAM salt", "RAND_bytes");
  }
  // RFC 5802 §2.2: keys come from SASLprep(password); a password SASLprep refuses (control
  // characters, unassigned code points) is used as its bytes, as clients that skip SASLprep do.
  auto prepped = saslprep(password);
  return derive_scram(prepped ? *prepped : std::string(password), salt, iterations);
}

std::string format_scram(const ScramCredentials& c) {
  return std::string(kMechanism) + "$" + std::to_string(c.iterations) + ":" +
         base64_encode(c.salt) + "$" + base64_encode(c.stored_key) + ":" +
         base64_encode(c.server_key);
}

Result<ScramCredentials> parse_scram(std::string_view text) {
  auto bad = [] { return make_error(ErrorKind::Corrupt, "unreadable SCRAM credentials"); };
  if (text.substr(0, kMechanism.size() + 1) != std::string(kMechanism) + "$") return bad();
  text.remove_prefix(kMechanism.size() + 1);
  size_t colon = text.find(':'), dollar = text.find('$'), colon2 = text.rfind(':');
  if (colon == std::string_view::npos || dollar == std::string_view::npos || dollar < colon ||
      colon2 < dollar) {
    return bad();
  }
  ScramCredentials out;
  auto [end, ec] = std::from_chars(text.data(), text.data() + colon, out.iterations);
  if (ec != std::errc() || end != text.data() + colon) return bad();
  auto salt = base64_decode(text.substr(colon + 1, dollar - colon - 1));
  auto stored = base64_decode(text.substr(dollar + 1, colon2 - dollar - 1));
  auto server = base64_decode(text.substr(colon2 + 1));
  if (!salt || !stored || !server || stored->size() != SHA256_DIGEST_LENGTH ||
      server->size() != SHA256_DIGEST_LENGTH) {
    return bad();
  }
  out.salt = std::move(*salt);
  out.stored_key = std::move(*stored);
  out.server_key = std::move(*server);
  return out;
}

std::string scram_nonce() {
  std::array<unsigned char, 18> bytes{};
  if (RAND_bytes(bytes.data(), bytes.size()) != 1) {
    // Never reached in practice; a predictable nonce would still not reveal the password.
    return "roost-nonce-unavailable";
  }
  return base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<ScramServer::Identity> ScramServer::client_first(std::string_view message) {
  if (step_ != Step::ClientFirst) return malformed("client-first out of order");
  // gs2-header: cbind-flag "," [authzid] ","
  size_t first = message.find(',');
  if (first == std::string_view::npos) return malformed("gs2 header");
  size_t second = message.find(',', first + 1);
  if (second == std::string_view::npos) return malformed("gs2 header");
  std::string_view flag = message.substr(0, first);
  if (flag.starts_with("p=")) {
    return make_error(ErrorKind::NoPerm, "Channel binding is not supported");
  }
  if (flag != "n" && flag != "y") return malformed("gs2 flag");
  Identity identity;
  std::string_view authzid = message.substr(first + 1, second - first - 1);
  if (!authzid.empty()) {
    if (!authzid.starts_with("a=")) return malformed("authzid");
    auto decoded = decode_saslname(authzid.substr(2));
    if (!decoded) return malformed("authzid");
    identity.authzid = std::move(*decoded);
  }
  gs2_header_ = std::string(message.substr(0, second + 1));
  client_first_bare_ = std::string(message.substr(second + 1));
  auto attrs = attributes(client_first_bare_);
  // RFC 5802 §5.1: "m=" (reserved-mext) must make us fail; then n= and r= in that order.
  if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'n' || (*attrs)[1].first != 'r') {
    return malformed("client-first-message-bare");
  }
  auto user = decode_saslname((*attrs)[0].second);
  if (!user) return malformed("username");
  if (!printable_nonce((*attrs)[1].second)) return malformed("nonce");
  identity.authcid = std::move(*user);
  client_nonce_ = std::string((*attrs)[1].second);
  step_ = Step::ServerFirst;
  return identity;
}

std::string ScramServer::server_first(const ScramCredentials& credentials,
                                      std::string_view server_nonce) {
  credentials_ = credentials;
  nonce_ = client_nonce_ + std::string(server_nonce);
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(credentials.salt) +
                  ",i=" + std::to_string(credentials.iterations);
  step_ = Step::ClientFinal;
  return server_first_;
}

Result<std::string> ScramServer::client_final(std::string_view message) {
  if (step_ != Step::ClientFinal) return malformed("client-final out of order");
  step_ = Step::Done;
  size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) return malformed("proof");
  std::string_view without_proof = message.substr(0, proof_at);
  auto attrs = attributes(without_proof);
  if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'c' || (*attrs)[1].first != 'r') {
    return malformed("client-final-message");
  }
  auto binding = base64_decode((*attrs)[0].second);
  if (!binding) return malformed("channel binding");
  // Without channel binding, c= is exactly the gs2 header the client sent first.
  if (*binding != gs2_header_) return malformed("channel binding does not match");
  if ((*attrs)[1].second != nonce_) return auth_failed();
  auto proof = base64_decode(message.substr(proof_at + 3));
  if (!proof || proof->size() != credentials_.stored_key.size()) return malformed("proof");
  std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  std::string signature = hmac(credentials_.stored_key, auth_message);
  std::string client_key = *proof;
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] ^= signature[i];
  std::string computed = sha256(client_key);
  if (CRYPTO_memcmp(computed.data(), credentials_.stored_key.data(), computed.size()) != 0) {
    return auth_failed();
  }
  return "v=" + base64_encode(hmac(credentials_.server_key, auth_message));
}

}  // namespace roost::auth
