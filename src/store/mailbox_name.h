// Mailbox name rules shared by every Store backend: '/' separates levels, "INBOX"
// is case-insensitive (RFC 9051 §5.1) and always stored upper-case.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace roost::store {

inline constexpr size_t kMaxMailboxNameBytes = 1024;
inline constexpr size_t kMaxMailboxDepth = 64;

// Validates (non-empty, no empty level, no leading/trailing '/', valid UTF-8 without
// control characters, length and depth limits) and canonicalizes a first level of
// "inbox" in any case to "INBOX". Syntax error otherwise.
Result<std::string> canonical_mailbox_name(std::string_view name);

// "a/b/c" -> {"a", "a/b"}.
std::vector<std::string> parent_names(std::string_view name);

bool is_inbox(std::string_view canonical_name);

}  // namespace roost::store
