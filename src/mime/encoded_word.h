// RFC 2047 encoded-word decoding for unstructured header text and display names.
#pragma once

#include <string>
#include <string_view>

namespace roost::mime {

// Decodes "=?charset?B|Q?text?=" words in an unfolded header value to UTF-8.
// RFC 2047 §6.2: whitespace between adjacent encoded words is dropped; adjacent words in
// the same charset are joined before conversion so split multi-byte characters survive.
// Words in unknown charsets are kept as written. Text outside words is kept if UTF-8,
// else read as windows-1252.
std::string decode_header_text(std::string_view raw);

// Same, appending to `out`.
void append_decoded_header_text(std::string_view raw, std::string& out);

}  // namespace roost::mime
