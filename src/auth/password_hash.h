// Password hashes: argon2id (RFC 9106) in PHC string form ("$argon2id$v=19$m=...").
// The cost lives in the string, so verify() accepts hashes made with any options and
// the defaults can be raised later without breaking stored passwords.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::auth {

struct HashOptions {
  // OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): ~20 ms per login on one core.
  uint32_t memory_kib = 19 * 1024;
  uint32_t passes = 2;
  uint32_t lanes = 1;
  static HashOptions for_tests() { return {.memory_kib = 64, .passes = 1, .lanes = 1}; }
};

inline constexpr size_t kMaxPasswordBytes = 1024;

// Fresh random salt each call. Fails with Syntax for an empty or oversized password.
Result<std::string> hash_password(std::string_view password, const HashOptions& options = {});

// Constant-time comparison inside argon2_verify. False for a wrong password and for
// anything that is not an argon2id PHC string (e.g. an empty hash = no password login).
bool verify_password(std::string_view password, std::string_view phc);

// Random printable password (no look-alike characters) for generated credentials.
std::string random_password(size_t length = 20);

}  // namespace roost::auth
