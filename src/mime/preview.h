// Message preview text (RFC 8970 PREVIEW, JMAP Email/preview).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mime/message.h"

namespace roost::mime {

inline constexpr size_t kPreviewMaxChars = 256;  // RFC 8970 §3.1

// Up to 256 characters of the first inline text/plain part (else the first text/html,
// tags stripped), transfer- and charset-decoded to UTF-8, whitespace collapsed. Parts
// inside attached messages and attachments are not used. Empty when there is no text.
std::string make_preview(std::string_view message, const ParsedMessage& parsed);

// Visible text of an HTML fragment: tags, comments, <script> and <style> removed,
// common entities decoded; block tags become spaces.
std::string html_to_text(std::string_view html);

// Runs of whitespace become one space, ends trimmed, cut to max_chars code points.
std::string collapse_whitespace(std::string_view utf8, size_t max_chars);

}  // namespace roost::mime
