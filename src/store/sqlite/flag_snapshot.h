// A big mailbox's flag table as of one MODSEQ, kept in a file of its own
// (data_dir/views/<mailbox id>.flags) beside the index. Loading a view then reads one compact file
// plus the few rows changed since, instead of the index's messages_state pages, which a mailbox
// that grew over time has spread through a file of gigabytes (its message bytes sit between them)
// and which, once out of the page cache, come back one scattered read at a time.
//
// Only a cache: the index stays the truth. A snapshot of another mailbox, UIDVALIDITY or count,
// from a MODSEQ the index has not reached, or damaged, is ignored (and rewritten by the next full
// read). Written to a temp file and renamed, without fsync: a checksum catches a torn one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/env.h"
#include "store/types.h"

namespace roost::store::sqlite {

// Flag rows in ascending UID; keyword sets interned by their stored text ([0] = none).
struct FlagRows {
  std::vector<Uid> uids;
  std::vector<uint32_t> system;
  std::vector<uint32_t> keyword_set;  // index into set_texts
  std::vector<std::string> set_texts{std::string()};

  // The index of a keyword set's stored text, added if new (`index`: text -> position, kept by
  // the caller across calls; built from set_texts when empty).
  uint32_t intern(std::string_view text, std::unordered_map<std::string, uint32_t>& index);
};

// What a snapshot must match to be used for a mailbox.
struct SnapshotKey {
  MailboxId mailbox = 0;
  uint32_t uidvalidity = 0;
};

std::string flag_snapshot_path(const std::string& data_dir, MailboxId mailbox);

// Writes `rows`, the mailbox's table at `modseq`. Errors only matter to the log.
Status write_flag_snapshot(Env& env, const std::string& path, const SnapshotKey& key,
                           ModSeq modseq, const FlagRows& rows);

struct FlagSnapshot {
  ModSeq modseq = 0;
  FlagRows rows;
};
// The snapshot at `path` if it is whole and of this mailbox and UIDVALIDITY; nullopt otherwise.
std::optional<FlagSnapshot> read_flag_snapshot(Env& env, const std::string& path,
                                               const SnapshotKey& key);

// One change since a snapshot: the row as it is now.
struct ChangedRow {
  Uid uid = 0;
  uint32_t system = 0;
  std::string keywords;  // stored text
};
// The table now: `old` without the `expunged` UIDs, with `changed` rows replaced or added. Both
// lists ascending. nullopt if the result does not have `expected` rows (the snapshot was not of
// this index's history).
std::optional<FlagRows> apply_changes(FlagRows old, const std::vector<ChangedRow>& changed,
                                      const std::vector<Uid>& expunged, size_t expected);

}  // namespace roost::store::sqlite
