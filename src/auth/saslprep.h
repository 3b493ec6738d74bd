// SASLprep (RFC 4013): the stringprep profile SCRAM applies to passwords (RFC 5802 §2.2
// "Normalize") so that a password typed with a different Unicode form or a non-ASCII space
// still derives the same keys. Implemented with ICU's StringPrep (profile RFC 4013).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::auth {

// UTF-8 in, UTF-8 out, as a "stored string" (unassigned code points refused). Syntax for
// invalid UTF-8, prohibited characters (controls, private use, ...) or bad bidi; ASCII text
// without control characters comes back unchanged.
Result<std::string> saslprep(std::string_view text);

}  // namespace roost::auth
