// SearchProgram: a SEARCH key tree (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 5032, 5182, 7162, 8474,
// 8514) compiled once per command and evaluated per message. Keys on the MessageEntry (flags,
// UID, size, dates, modseq) run first; the ParsedMessage, the header bytes and the decoded body
// text are loaded only when a key still needs them, and at most once per message.
//
// Choices where the RFCs leave room:
// - strings match case-insensitively (text_fold.h: ASCII, Latin-1, Latin Extended-A, Greek,
//   Cyrillic) as substrings of decoded UTF-8: headers RFC 2047-decoded, text parts decoded from
//   base64/QP and their charset, HTML reduced to its text; other attachments are not searched;
// - FROM/TO/CC/BCC match the decoded "Name <addr>" form and the raw (still encoded) envelope form,
//   group names included; FROM/TO/CC/BCC/SUBJECT "" match when the field is present (as Dovecot);
// - BEFORE/ON/SINCE take the INTERNALDATE's date in its own zone (the one FETCH INTERNALDATE
//   shows), SENT* the Date header's date in the header's zone, SAVED* the save date in UTC
//   (INTERNALDATE when unknown, RFC 8514 §5); a missing/invalid Date header never matches SENT*;
// - Roost keeps no \Recent (RFC 9051 removed it): RECENT and NEW (= RECENT UNSEEN) match nothing,
//   OLD matches everything;
// - MODSEQ compares the message's modseq (no per-flag modseqs; entry name/type ignored);
// - THREADID matches nothing (FETCH THREADID is NIL); SAVEDATESUPPORTED matches everything.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "imap/proto/search_key.h"
#include "imap/proto/sequence_set.h"
#include "mime/message.h"
#include "store/types.h"

namespace roost::imap {

// Per SEARCH command.
struct SearchContext {
  uint32_t max_seq = 0;              // messages in the view: '*' of sequence sets
  uint32_t max_uid = 0;              // largest UID in the view: '*' of UID sets
  int64_t now_unix = 0;              // OLDER/YOUNGER (RFC 5032), from the injected clock
  std::vector<SeqRange> saved_uids;  // '$' (RFC 5182), resolved UIDs
};

// One message; the loaders run at most once, and only when a key needs them.
struct SearchMessage {
  uint32_t seq = 0;
  const store::MessageEntry* entry = nullptr;
  std::function<Result<const mime::ParsedMessage*>()> load_parsed;
  std::function<Result<std::string_view>()> load_bytes;
  // The top-level header block the store kept (HEADER keys); nullopt, or no loader, when it was
  // not kept: the header is then cut from load_bytes() by load_parsed()'s structure.
  std::function<Result<std::optional<std::string_view>>()> load_header;
};

class SearchProgram {
 public:
  explicit SearchProgram(const SearchKey& key);
  ~SearchProgram();
  SearchProgram(SearchProgram&&) noexcept;
  SearchProgram& operator=(SearchProgram&&) noexcept;

  bool needs_parsed() const;  // some key reads the ParsedMessage
  bool needs_bytes() const;   // some key reads body bytes
  bool needs_header() const;  // some key reads header fields (HEADER, FROM "" ...)

  // Fails only when a loader fails.
  Result<bool> matches(const SearchMessage& message, const SearchContext& context) const;

  struct Node;

 private:
  std::unique_ptr<Node> root_;
};

// "Mon, 1 Jan 2024 10:00:00 +0100" → +60; 0 when the header has no numeric zone.
int date_header_zone_minutes(std::string_view date);

}  // namespace roost::imap
