// The searchable text of a message (RFC 9051 §6.4.4 BODY, TEXT): UTF-8 with transfer encodings
// and charsets undone and RFC 2047 words decoded. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "mime/message.h"

namespace roost::imap {

// Text of every text/* part (HTML reduced to its visible text) and of the headers of attached
// messages, parts separated by '\n'. Non-text attachments are skipped.
std::string body_text(std::string_view message, const mime::ParsedMessage& parsed);

// "Name: decoded value\n" per field of a header block, unfolded.
std::string header_text(std::string_view header);

// Content of a leaf part decoded from its transfer encoding and charset to UTF-8.
std::string decoded_part_text(std::string_view message, const mime::Part& part);

}  // namespace roost::imap
