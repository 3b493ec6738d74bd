// SASL exchange lines (RFC 9051 §6.2.2, RFC 4959 SASL-IR): after "+ challenge" the client answers
// with one line of BASE64, or "*" to cancel (the session then answers BAD). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::imap {

struct SaslResponse {
  bool cancelled = false;  // the client sent "*"
  std::string data;        // decoded bytes
  bool operator==(const SaslResponse&) const = default;
};

// `line` is one client line without CRLF (CommandParser::expect_line() hands it out).
Result<SaslResponse> parse_sasl_response(std::string_view line);

// Strict RFC 4648 §4 BASE64 with padding; empty input decodes to "".
Result<std::string> decode_base64(std::string_view text);

// True when `line` is the IDLE terminator "DONE" (RFC 2177 §3, case-insensitive).
bool is_idle_done(std::string_view line);

}  // namespace roost::imap
