// Small text helpers the mailauth files share: DNS names compare in ASCII lower case, keys and
// signatures travel in base64 (RFC 4648).
#pragma once

#include <string>
#include <string_view>

namespace roost::mailauth {

std::string ascii_lower(std::string_view text);
std::string base64(std::string_view bytes);

}  // namespace roost::mailauth
