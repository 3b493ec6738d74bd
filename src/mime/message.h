// ParsedMessage: what the MIME parser extracts once at save time for IMAP FETCH
// (ENVELOPE, BODYSTRUCTURE, BODY[section], BINARY) and SEARCH/SORT.
// Pure data; serialize()/deserialize() give the compact bytes the store keeps.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace roost::mime {

// One address of an address list, in IMAP ENVELOPE form (RFC 9051 §7.5.2):
// raw header text (RFC 2047 words left encoded), unfolded. A group is written
// as a start marker (mailbox = group name, host empty, is_group_start) and an
// end marker (is_group_end).
struct Address {
  std::optional<std::string> name;
  std::optional<std::string> adl;
  std::optional<std::string> mailbox;
  std::optional<std::string> host;
  bool is_group_start = false;
  bool is_group_end = false;
  bool operator==(const Address&) const = default;
};

// Raw (undecoded, unfolded) header values; nullopt when the header is absent.
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
  bool operator==(const Envelope&) const = default;
};

// Content-Type / Content-Disposition parameters in the form IMAP BODYSTRUCTURE shows them:
// names and values as written, RFC 2231 sections joined but not decoded ("filename*" =
// "utf-8''%C3%A9.txt"); mime::decode_params() (content_type.h) gives the UTF-8 values.
using Params = std::vector<std::pair<std::string, std::string>>;

struct Disposition {
  std::string type;  // as written, e.g. "attachment"
  Params params;
  bool operator==(const Disposition&) const = default;
};

// One node of the body tree. Offsets are absolute within the message bytes.
struct Part {
  std::string type = "text";  // as written (IMAP clients compare case-insensitively)
  std::string subtype = "plain";
  Params params;  // Content-Type parameters
  std::optional<std::string> id, description, md5, location;
  std::string encoding = "7bit";  // Content-Transfer-Encoding as written, default "7bit"
  std::optional<Disposition> disposition;
  std::vector<std::string> language;  // RFC 3282 tags, comments removed

  uint64_t header_offset = 0, header_size = 0;  // the part's MIME header (incl. blank line)
  uint64_t body_offset = 0, body_size = 0;      // the part's body
  uint64_t body_lines = 0;  // line breaks (LF) in the body (text/*, message/rfc822)

  std::vector<uint32_t> children;  // indices into ParsedMessage::parts (multipart, message/rfc822)
  // message/rfc822 (and message/global): the encapsulated message's envelope; its
  // root part is children[0].
  std::optional<Envelope> envelope;
  bool operator==(const Part&) const = default;
};

struct ParsedMessage {
  Envelope envelope;
  std::vector<Part> parts;  // parts[0] is the root (the whole message); depth-first order
  int64_t date_unix = -1;   // parsed Date header (UTC seconds), -1 if missing/invalid

  // Decoded to UTF-8 (RFC 2047, charsets), for SEARCH and SORT.
  std::string subject;
  std::string from, to, cc, bcc;  // display form: "Name <addr>, ..."
  std::string preview;            // RFC 8970: up to 256 characters of body text

  bool truncated_nesting = false;  // deeper than the limit: the rest was treated as a leaf
  bool operator==(const ParsedMessage&) const = default;
};

struct ParseLimits {
  uint32_t max_depth = 100;    // nesting of multiparts / message/rfc822
  uint32_t max_parts = 10000;  // parts beyond this are folded into their parent
  uint32_t max_header_fields = 10000;
};

// Told of each large stretch of bytes the parser has just read through (whole windows of a
// few MiB, never for a small message), so a caller parsing a mapped file can drop those pages
// and a 2 GiB message is never resident at once. The parser may still re-read a little of
// them (the preview); that stays correct, it only faults the pages in again.
using ScanProgress = std::function<void(uint64_t offset, uint64_t length)>;

// Never fails: malformed input is parsed as well as it can be.
ParsedMessage parse(std::string_view message, const ParseLimits& limits = {},
                    const ScanProgress& scanned = {});

std::string serialize(const ParsedMessage& message);
Result<ParsedMessage> deserialize(std::string_view bytes);

}  // namespace roost::mime
