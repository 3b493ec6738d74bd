#include "auth/password_hash.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <vector>

namespace roost::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

Result<std::string> hash_password(std::string_view password, const HashOptions& options) {
  if (password.empty()) return make_error(ErrorKind::Syntax, "the password must not be empty");
  if (password.size() > kMaxPasswordBytes) {
    return make_error(ErrorKind::Syntax, "the password is longer than 1024 bytes");
  }
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), salt.size()) != 1) {
    return make_error(ErrorKind::Internal, "no random bytes for a password salt", "RAND_bytes");
  }
  size_t length = argon2_encodedlen(options.passes, options.memory_kib, options.lanes, kSaltBytes,
                                    kHashBytes, Argon2_id);
  std::vector<char> encoded(length);
  int rc = argon2id_hash_encoded(options.passes, options.memory_kib, options.lanes, password.data(),
                                 password.size(), salt.data(), salt.size(), kHashBytes,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return make_error(ErrorKind::Internal, "password hashing failed", argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

bool verify_password(std::string_view password, std::string_view phc) {
  if (phc.rfind("$argon2id$", 0) != 0 || password.size() > kMaxPasswordBytes) return false;
  std::string encoded(phc);  // argon2 wants a NUL-terminated string
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string random_password(size_t length) {
  // No 0/O, 1/l/I: the password is read off a screen and typed into a client.
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  while (out.size() < length) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1) continue;
    // Reject the top of the byte range so every character is equally likely.
    if (byte >= 256 - 256 % kAlphabet.size()) continue;
    out += kAlphabet[byte % kAlphabet.size()];
  }
  return out;
}

}  // namespace roost::auth
