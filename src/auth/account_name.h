// Account names: the login name, stored lower-case. "alice" or "alice@example.org".
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::auth {

inline constexpr size_t kMaxAccountNameLength = 254;  // RFC 5321 §4.5.3.1.3 path limit

// Trims surrounding blanks and lower-cases ASCII. Local part: letters, digits and
// . _ - + (no leading, trailing or double dot, at most 64 octets, RFC 5321 §4.5.3.1.1);
// optional @domain of dot-separated letter/digit/hyphen labels. Syntax error otherwise,
// with text naming the problem.
Result<std::string> normalize_account_name(std::string_view name);

}  // namespace roost::auth
