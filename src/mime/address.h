// RFC 5322 §3.4 address lists (with §4.4 obsolete syntax) in IMAP ENVELOPE form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace roost::mime {

// Placeholders for broken addresses, as Dovecot sends them (IMAP needs non-NIL mailbox and
// host for anything that is not a group marker, and clients know these): no "@domain", no
// local part, a route without its ':', an angle address without its '>'.
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";
inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kInvalidRoute = "INVALID_ROUTE";
inline constexpr std::string_view kSyntaxError = "SYNTAX_ERROR";

// Parses an unfolded address-list header value. Never fails: display names unquoted with
// RFC 2047 words left encoded; a trailing comment names a bare addr-spec; route
// "@a,@b:" goes to adl; groups become start/end markers; empty list members are skipped.
// A member not followed by ',' (or ';' closing a group) ends the list, and an unterminated
// quote gives one MISSING_MAILBOX placeholder, both as Dovecot does.
std::vector<Address> parse_address_list(std::string_view value);

// "Name <local@host>, local@host" with names RFC 2047-decoded to UTF-8; group markers
// are skipped (their members are listed). For SEARCH and SORT.
std::string format_address_list(const std::vector<Address>& addresses);

}  // namespace roost::mime
