// SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO) and THREAD (RFC 5256 §3 ORDEREDSUBJECT and
// REFERENCES) over the messages a SEARCH program matched. Pure; the session builds one
// SortRecord per matching message (ParsedMessage + entry; References from the header bytes).
//
// Choices where the RFCs leave room:
// - strings compare with i;ascii-casemap (RFC 5256 §3), DISPLAY keys with text_fold.h folding;
// - the sent date is the Date header, else INTERNALDATE (RFC 5256 §2.2); ties go to sequence order;
// - Message-IDs compare octet by octet; a missing or duplicate Message-ID gets a unique id.
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

struct SortRecord {
  uint32_t number = 0;  // what the response lists: the sequence number or the UID
  uint32_t seq = 0;     // mailbox order, the final tie-breaker
  int64_t internal_date = 0;
  uint64_t size = 0;
  const mime::ParsedMessage* parsed = nullptr;  // required except for ARRIVAL, SIZE and DATE only
  int64_t date_unix = -1;  // without `parsed` (DATE): its date_unix, -1 when no valid Date header
  std::string references;                       // raw References value (THREAD=REFERENCES)
};

// The numbers of `records` in SORT order.
std::vector<uint32_t> sort_messages(std::span<const SortRecord> records,
                                    std::span<const SortCriterion> criteria);

enum class ThreadAlgorithm { OrderedSubject, References };
// "ORDEREDSUBJECT" / "REFERENCES" (any case); nullopt for algorithms Roost does not offer.
std::optional<ThreadAlgorithm> thread_algorithm_from_name(std::string_view name);

// The thread list of the THREAD response, e.g. "(1 2)(3 (4)(5))" (RFC 5256 §4); the session
// sends "* THREAD " + this + CRLF. Empty when there are no records.
std::string thread_messages(std::span<const SortRecord> records, ThreadAlgorithm algorithm);

// The unfolded value of the first `name` field of a header block ("" when absent).
std::string header_value(std::string_view header, std::string_view name);

// The msg-ids "<...>" of a References / In-Reply-To / Message-ID value, in order.
std::vector<std::string> parse_message_ids(std::string_view value);

}  // namespace roost::imap
