// Structured MIME header fields: Content-Type and Content-Disposition with parameters
// (RFC 2045 §5.1, RFC 2183), RFC 2231 continuations and charset'language'value decoding.
#pragma once

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

// Parses ";name=value" parameters starting at value[pos]. RFC 2231: "name*0", "name*1*"
// continuations are joined under "name", charset'lang'%XX values decoded to UTF-8; an
// RFC 2231 parameter wins over a plain one of the same name. Other values are kept as
// written (quotes and backslash escapes removed).
Params parse_params(std::string_view value, size_t pos);

// The first value of `name` (case-insensitive), or nullptr.
const std::string* find_param(const Params& params, std::string_view name);

}  // namespace roost::mime
