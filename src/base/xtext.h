// xtext (RFC 3461 §4): the encoding of ESMTP parameter values such as ENVID, ORCPT and AUTH=:
// octets 33-126 stand for themselves except "+" and "=", every other octet is "+" and two
// upper-case hex digits. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace roost {

std::string xtext_encode(std::string_view text);
// nullopt for a malformed escape ("+" not followed by two upper-case hex digits).
std::optional<std::string> xtext_decode(std::string_view xtext);

}  // namespace roost
