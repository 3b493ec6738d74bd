// Charset conversion to UTF-8 for header words, MIME parameters and body text.
// Thread-safe (iconv descriptors are cached per thread). Never fails on bad bytes:
// invalid or truncated sequences become U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace roost::mime {

// Appends `bytes` in `charset` (any case, common aliases accepted) to `out` as UTF-8.
// Returns false, appending nothing, when the charset is unknown to us and to iconv.
bool convert_to_utf8(std::string_view charset, std::string_view bytes, std::string& out);

// Appends bytes of unknown charset: kept if valid UTF-8, else read as windows-1252
// (what unlabeled 8-bit mail almost always is).
void append_unlabeled(std::string_view bytes, std::string& out);

// Appends valid UTF-8 unchanged and each invalid byte as U+FFFD.
void append_utf8_sanitized(std::string_view bytes, std::string& out);

// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes);

// Appends one code point (invalid ones as U+FFFD).
void append_code_point(char32_t cp, std::string& out);

}  // namespace roost::mime
