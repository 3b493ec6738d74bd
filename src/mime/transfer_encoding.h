// Content-Transfer-Encoding decoders (RFC 2045 §6) for IMAP BINARY, SEARCH TEXT and
// previews. Tolerant: bad input is decoded as well as possible, never rejected.
#pragma once

#include <string>
#include <string_view>

namespace roost::mime {

// Each decoder appends to `out` and returns true when the input was well-formed.

// RFC 2045 §6.8: characters outside the alphabet are ignored; decoding stops at padding.
bool decode_base64(std::string_view in, std::string& out);

// RFC 2045 §6.7: "=XX", soft line breaks ("=" at end of line, trailing blanks allowed),
// trailing whitespace on lines dropped; a stray "=" is kept literally.
bool decode_quoted_printable(std::string_view in, std::string& out);

enum class TransferEncoding { Identity, Base64, QuotedPrintable, Unknown };

// Case-insensitive; 7bit/8bit/binary and an empty value are Identity.
TransferEncoding transfer_encoding_from_name(std::string_view name);

// Decodes a body by its Content-Transfer-Encoding name; false when the input was malformed
// (still decoded) or the encoding is unknown (nothing appended: IMAP BINARY answers
// [UNKNOWN-CTE], RFC 3516 §4.3; tell the cases apart with transfer_encoding_from_name).
bool decode_body(std::string_view encoding, std::string_view in, std::string& out);

}  // namespace roost::mime
