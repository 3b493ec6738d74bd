// SMTP paths and mailboxes (RFC 5321 §4.1.2, with RFC 6531 §3.3 UTF-8): the pure parsing the
// MAIL and RCPT commands need. Quoted local parts are unquoted (quoted-pairs removed); an
// address is printed back in its shortest valid form. Source routes ("@a,@b:") are accepted and
// ignored (RFC 5321 §4.1.2, §C). Domains are kept as written (compare them case-insensitively).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::smtp {

struct Path {
  std::string local;   // unquoted local part (UTF-8); empty with domain empty = the null path
  std::string domain;  // a domain name, or an address literal with its brackets "[192.0.2.1]"
  bool is_null() const { return local.empty() && domain.empty(); }
  bool is_utf8() const;  // any octet above 127: needs SMTPUTF8 (RFC 6531 §3.4)
  // "local@domain", the local part quoted when it is not a dot-string; "" for the null path,
  // just the local part for RCPT TO:<Postmaster> (RFC 5321 §4.1.1.3).
  std::string address() const;
  bool operator==(const Path&) const = default;
};

struct AddressLimits {
  size_t max_local_part = 64;  // RFC 5321 §4.5.3.1.1
  size_t max_domain = 255;     // RFC 5321 §4.5.3.1.2
  size_t max_path = 256;       // RFC 5321 §4.5.3.1.3, angle brackets included
};

// "<local@domain>" (or "<>" when allow_null, "<Postmaster>" when allow_postmaster). `used` is
// set to the number of octets the path took. Syntax errors name the problem.
Result<Path> parse_path(std::string_view text, size_t& used, const AddressLimits& limits,
                        bool allow_null, bool allow_postmaster);

// "local@domain" without brackets (aliases in the configuration, From: addresses).
Result<Path> parse_mailbox(std::string_view text, const AddressLimits& limits = {});

// RFC 6531 §3.3: UTF-8 as RFC 3629 defines it (no overlongs, surrogates or > U+10FFFF).
bool is_valid_utf8(std::string_view text);

// ASCII lower case (domains and the local parts of accounts are compared this way).
std::string ascii_lower(std::string_view text);

}  // namespace roost::smtp
