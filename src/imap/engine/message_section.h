// Locating FETCH sections in a stored message (RFC 9051 §6.4.5 "BODY[<section>]"): part numbers,
// HEADER, HEADER.FIELDS[.NOT], TEXT and MIME, from the ParsedMessage offsets. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/command.h"
#include "mime/message.h"

namespace roost::imap {

// Bytes of a section: a view into the message, or owned text (HEADER.FIELDS subsets).
struct SectionBytes {
  std::string_view view;
  std::string owned;
  std::string_view data() const { return owned.empty() ? view : std::string_view(owned); }
};

// The part that part numbers "1.2.3" name, or nullopt. RFC 9051 §6.4.5: part 1 of a non-multipart
// message is its body; numbers after a message/rfc822 part walk the encapsulated message.
// Empty `numbers` names the whole message (index 0).
std::optional<uint32_t> find_part(const mime::ParsedMessage& parsed,
                                  std::span<const uint32_t> numbers);

// The message whose header/text HEADER, TEXT and HEADER.FIELDS address: the root for an empty
// part list, else the encapsulated root of a message/rfc822 part; nullopt otherwise.
std::optional<uint32_t> find_message_root(const mime::ParsedMessage& parsed,
                                          std::span<const uint32_t> numbers);

// BODY[section] before any partial; nullopt when the section does not exist (the caller sends "").
std::optional<SectionBytes> section_bytes(std::string_view message,
                                          const mime::ParsedMessage& parsed,
                                          const SectionSpec& section);

// Header subset: the fields named (or, with exclude, not named) in `upper_names`, compared
// case-insensitively, in message order as written, then the blank line if the header has one
// (RFC 9051 §6.4.5). Lines naming no field are kept only with exclude.
std::string filter_header(std::string_view header, const std::vector<std::string>& upper_names,
                          bool exclude);

// Header bytes / body bytes of parts[index], clamped to the message size.
std::string_view part_header(std::string_view message, const mime::Part& part);
std::string_view part_body(std::string_view message, const mime::Part& part);

}  // namespace roost::imap
