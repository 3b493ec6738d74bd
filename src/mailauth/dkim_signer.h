// DKIM signing (RFC 6376 §5, relaxed/relaxed; ed25519-sha256 per RFC 8463, rsa-sha256).
//
// Written on OpenSSL rather than libopendkim: libopendkim 2.11's ed25519 signing leaks the
// loaded key (about 1.3 KB) on every signed message, which a long-running server cannot carry.
// Verification (dkim.h) stays with libopendkim; tests verify these signatures with it and
// with dkimpy's dkimverify.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim_key.h"

namespace roost::mailauth {

// The header fields signed when present (RFC 6376 §5.4.1's list, trimmed to what mail
// carries); From is signed once more than it occurs, so none can be added later.
const std::vector<std::string>& dkim_signed_fields();

// One "DKIM-Signature: ..." field, folded, ending in CRLF, for `message` (CRLF lines) signed
// with `key` at time `now` (unix seconds).
Result<std::string> dkim_sign(std::string_view message, const DkimKey& key, int64_t now);

// The pieces, exposed for tests: RFC 6376 §3.4.2 and §3.4.4.
std::string relaxed_header(std::string_view field);  // "name:value" without the CRLF
std::string relaxed_body(std::string_view body);

}  // namespace roost::mailauth
