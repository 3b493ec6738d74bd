// BINARY[] of the whole message and BINARY[n] of a multipart or message/rfc822 part (RFC 9051
// §6.4.5, RFC 3516 §4.2) take the decoding down to every part below the section, as Dovecot
// does: a client asking for BINARY of a message gets one it can read without CTE decoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/engine/sliced_bytes.h"
#include "mime/message.h"

namespace roost::imap {

// parts[index] in binary form: every body below it decoded from base64 or quoted-printable, and
// the Content-Transfer-Encoding field of each decoded part replaced by "binary" (in the header of
// parts[index] itself only with include_header). Delimiters, preambles, epilogues, other header
// fields and 7bit/8bit/binary bodies are copied as stored. nullopt when a part on the way has an
// unknown Content-Transfer-Encoding (the caller answers [UNKNOWN-CTE], RFC 3516 §4.3).
std::optional<std::string> binary_entity(std::string_view message,
                                         const mime::ParsedMessage& parsed, uint32_t index,
                                         bool include_header);
// The same bytes as slices of `message` (what is copied as stored) and owned text (rewritten
// headers, decoded bodies), so FETCH can stream the stored stretches of a huge entity.
std::optional<SlicedBytes> binary_entity_slices(std::string_view message,
                                                const mime::ParsedMessage& parsed, uint32_t index,
                                                bool include_header);

}  // namespace roost::imap
