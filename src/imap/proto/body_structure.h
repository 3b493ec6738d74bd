// ENVELOPE, BODY and BODYSTRUCTURE as FETCH returns them (RFC 9051 §7.5.2), rendered from the
// ParsedMessage the MIME parser stored at save time. Pure functions.
//
// Choices where the RFC leaves room (compatible with what Dovecot sends):
// - type, subtype, encoding, parameter and disposition names go out as written in the message
//   (clients compare case-insensitively, RFC 9051 §7.5.2); defaults come from the MIME parser;
// - empty parameter lists, absent disposition, language and location are NIL; a text part
//   without a charset parameter gets "charset" "us-ascii" last (RFC 2045 §5.2 default);
// - languages are always a parenthesized list, even one (allowed by body-fld-lang; Dovecot);
// - parameters in RFC 2231 form are shown joined but not decoded (see mime::Params);
// - the ENVELOPE subject has its whitespace collapsed, as Dovecot does;
// - a multipart with no parts (malformed) is rendered with one empty text/plain part, because
//   the grammar requires at least one body (Dovecot does the same);
// - Sender and Reply-To fall back to From when absent or empty (RFC 9051 §7.5.2).
#pragma once

#include <cstdint>
#include <string>

#include "imap/proto/response_writer.h"
#include "mime/message.h"

namespace roost::imap {

void write_envelope(std::string& out, const mime::Envelope& envelope,
                    const StringStyle& style = {});

// BODYSTRUCTURE when `extensible`, else BODY. `part` indexes message.parts (0 = whole message).
void write_body_structure(std::string& out, const mime::ParsedMessage& message, uint32_t part,
                          bool extensible, const StringStyle& style = {});

}  // namespace roost::imap
