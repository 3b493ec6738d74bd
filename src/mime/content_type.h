// Structured MIME header fields: Content-Type and Content-Disposition with parameters
// (RFC 2045 §5.1, RFC 2183), RFC 2231 continuations and charset'language'value decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace roost::mime {

struct ContentType {
  std::string type, subtype;  // as written; empty when the field is syntactically invalid
  Params params;
  bool valid() const { return !type.empty() && !subtype.empty(); }
};

// Parses an unfolded Content-Type value; comments (RFC 822 §3.4.3) are skipped.
ContentType parse_content_type(std::string_view value);

// Parses an unfolded Content-Disposition value; type empty when missing.
Disposition parse_disposition(std::string_view value);

// Parses ";name=value" parameters starting at value[pos] into the form IMAP BODYSTRUCTURE
// shows (as Dovecot; RFC 2231 decoding is the IMAP client's job): names and values as
// written (quotes and backslash escapes removed), plain parameters first in order, then
// RFC 2231 ones with their sections joined ("name*" = "charset'lang'%XX..." when any section
// is encoded, "name" otherwise; sections kept apart when one is missing). Parameters
// without a value or with an unterminated quoted value are dropped (RFC 2045 §5.1).
Params parse_params(std::string_view value, size_t pos);

// RFC 2231 §3-4 decoding of parse_params() output, for SEARCH and JMAP: "name*N" sections
// joined under "name", charset'language'value converted to UTF-8; an RFC 2231 parameter
// wins over a plain one of the same name.
Params decode_params(const Params& params);

// The decoded value of `name` (case-insensitive), e.g. an attachment's file name.
std::optional<std::string> decoded_param(const Params& params, std::string_view name);

// The first value of `name` (case-insensitive) as stored, or nullptr. Fine for parameters
// that are never RFC 2231-encoded in practice (charset, boundary).
const std::string* find_param(const Params& params, std::string_view name);

}  // namespace roost::mime
