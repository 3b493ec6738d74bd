// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3, kept by RFC 9051 §5.1.3 for clients that
// have not enabled UTF8=ACCEPT). Printable US-ASCII stands for itself ('&' as "&-"); anything
// else is UTF-16BE in modified BASE64 (',' for '/', no padding) between '&' and '-'.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::imap {

// UTF-8 → modified UTF-7. Fails (Syntax) when the input is not valid UTF-8.
Result<std::string> mutf7_encode(std::string_view utf8);

// Modified UTF-7 → UTF-8. Strict: rejects 8-bit or control octets, bad BASE64, non-zero pad bits,
// unterminated shifts, encoded printable ASCII, empty "&" shifts other than "&-", and unpaired
// surrogates, so every name has exactly one encoded form.
Result<std::string> mutf7_decode(std::string_view mutf7);

// True when text is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace roost::imap
