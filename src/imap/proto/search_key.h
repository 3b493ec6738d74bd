// SearchKey: the tree of a SEARCH program (RFC 9051 §6.4.4, RFC 3501 §6.4.4 plus RFC 4731, 5032,
// 5182, 7162, 8474, 8514). And/Or/Not nodes hold children; leaves hold one argument.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imap/proto/date_time.h"
#include "imap/proto/sequence_set.h"

namespace roost::imap {

// clang-format off
enum class SearchKeyType {
  And, Or, Not,                                      // children: n, 2, 1
  All, SequenceSet, Uid,                             // set (SequenceSet, Uid)
  Answered, Deleted, Draft, Flagged, Seen, Recent, New, Old,
  Unanswered, Undeleted, Undraft, Unflagged, Unseen,
  Keyword, Unkeyword,                                // text = keyword
  Bcc, Body, Cc, From, Subject, Text, To,            // text
  Header,                                            // header_name, text
  Before, On, Since, SentBefore, SentOn, SentSince,  // date
  Larger, Smaller,                                   // number = octets
  Older, Younger,                                    // number = seconds (RFC 5032)
  ModSeq,                                            // number; entry_name/entry_type (RFC 7162)
  SavedBefore, SavedOn, SavedSince,                  // date (RFC 8514)
  SaveDateSupported,                                 // RFC 8514
  EmailId, ThreadId,                                 // text (RFC 8474)
};
// clang-format on

struct SearchKey {
  SearchKeyType type = SearchKeyType::All;
  std::vector<SearchKey> children;
  SequenceSet set;
  std::string text;
  std::string header_name;
  Date date;
  uint64_t number = 0;
  std::string entry_name;  // MODSEQ "/flags/\\seen" (RFC 7162 §3.1.5)
  std::string entry_type;  // "priv" / "shared" / "all"
  bool operator==(const SearchKey&) const = default;
};

// RETURN options of ESEARCH (RFC 4731 §3.1) and SAVE (RFC 5182 §2.2).
struct SearchReturn {
  bool min = false, max = false, all = false, count = false, save = false;
  bool operator==(const SearchReturn&) const = default;
};

}  // namespace roost::imap
