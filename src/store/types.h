// Value types of the mailbox model (DESIGN.md "The mailbox model"), shared by
// the Store interface, the mailbox rules and every protocol.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roost::store {

using AccountId = int64_t;
using MailboxId = int64_t;
using Uid = uint32_t;
using ModSeq = uint64_t;

// RFC 6154 roles. A new account gets INBOX plus one mailbox per role Sent..Archive.
enum class SpecialUse : uint8_t { None, Sent, Drafts, Trash, Junk, Archive, All, Flagged };
std::string_view to_attribute(SpecialUse role);  // "\\Sent", ... ; "" for None
std::optional<SpecialUse> special_use_from_attribute(std::string_view attr);  // case-insensitive

// System flags as a bitmask; keywords as strings (RFC 9051 §2.3.2).
enum SystemFlag : uint32_t {
  kSeen = 1u << 0,
  kAnswered = 1u << 1,
  kFlagged = 1u << 2,
  kDeleted = 1u << 3,
  kDraft = 1u << 4,
};

struct Flags {
  uint32_t system = 0;
  std::vector<std::string> keywords;  // sorted, unique (ASCII case-insensitive)
  bool operator==(const Flags&) const = default;
};
// Sorts and de-duplicates keywords (ASCII case-insensitively, first spelling wins).
void normalize(Flags& flags);

struct UidRange {
  Uid first = 1;
  Uid last = 1;  // inclusive; UINT32_MAX means "*"
  bool operator==(const UidRange&) const = default;
};
// Ascending, non-overlapping ranges. Empty means "no messages".
using UidSet = std::vector<UidRange>;
UidSet all_uids();                                // 1:*
UidSet uid_set_of(const std::vector<Uid>& uids);  // compresses to ranges
bool contains(const UidSet& set, Uid uid);

struct Account {
  AccountId id = 0;
  std::string name;           // login name, stored lower-case
  std::string password_hash;  // PHC string ($argon2id$...), empty = no password login
  int64_t created_unix = 0;
  // RFC 5803 "SCRAM-SHA-256$..." set with the password; empty = no SCRAM login (accounts whose
  // password was set before Roost stored these).
  std::string scram_credentials;
};

struct MailboxInfo {
  MailboxId id = 0;
  AccountId account = 0;
  std::string name;  // UTF-8, '/' separates hierarchy levels, "INBOX" is always upper-case
  SpecialUse role = SpecialUse::None;
  bool subscribed = false;
  uint32_t uidvalidity = 0;
  Uid uidnext = 1;
  ModSeq highest_modseq = 0;
  uint32_t messages = 0;
  uint32_t unseen = 0;
  uint32_t deleted = 0;  // messages with \Deleted
  uint64_t bytes = 0;    // sum of message sizes (STATUS SIZE)
};

struct BlobRef {
  std::string id;  // lower-case hex SHA-256 of the exact bytes
  uint64_t size = 0;
  bool operator==(const BlobRef&) const = default;
};

struct MessageEntry {
  Uid uid = 0;
  ModSeq modseq = 0;
  BlobRef blob;
  Flags flags;
  int64_t internal_date = 0;     // unix seconds (RFC 9051 INTERNALDATE)
  int32_t internal_date_tz = 0;  // offset in minutes east of UTC, for display
  int64_t save_date = 0;         // unix seconds (RFC 8514 SAVEDATE)
  int64_t sent_date = -1;        // the Date header (ParsedMessage::date_unix), -1 when invalid
};

// What SELECT and FETCH 1:* FLAGS need, without blob ids: kept small for big mailboxes.
struct MessageState {
  Uid uid = 0;
  ModSeq modseq = 0;
  Flags flags;
};

// What SELECT tells before it reads any message (RFC 9051 §7.3.1, RFC 3501 [UNSEEN]): the
// mailbox row, the keywords its messages carry and the first message without \Seen, read in one
// snapshot so the sequence number matches info.messages.
struct MailboxSummary {
  MailboxInfo info;
  std::vector<std::string> keywords;     // carried by at least one message; sorted, unique
  std::optional<uint32_t> first_unseen;  // sequence number; nullopt: all seen, or not asked
};

// Every message's UID and flags as columns, ascending UID, read in one snapshot: what a session's
// MailboxView holds, built without an allocation per message (keyword sets are interned).
struct FlagTable {
  std::vector<Uid> uids;
  std::vector<uint32_t> system;                            // SystemFlag bits, per message
  std::vector<uint32_t> keyword_set;                       // per message: index into keyword_sets
  std::vector<std::vector<std::string>> keyword_sets{{}};  // [0] = no keywords
  // Since the MODSEQ the caller gave: messages changed (or added), and tombstones, ascending UID.
  std::vector<std::pair<Uid, ModSeq>> changed;
  std::vector<Uid> expunged;
  ModSeq highest_modseq = 0;  // the mailbox's, in this snapshot
};

struct NewMessage {
  BlobRef blob;        // already committed to the BlobStore
  std::string parsed;  // serialized mime::ParsedMessage, kept once per blob
  Flags flags;
  int64_t internal_date = 0;
  int32_t internal_date_tz = 0;
  // Kept in the index so SORT and SEARCH HEADER need neither `parsed` nor the blob:
  int64_t sent_date = -1;             // ParsedMessage::date_unix
  std::optional<std::string> header;  // the top-level header block; nullopt = not kept (per entry:
                                      // a range scan in UID order reads a mailbox's headers)
};

struct Appended {
  Uid uid = 0;
  ModSeq modseq = 0;
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  std::vector<Appended> messages;  // in the order given
};

enum class FlagOp { Add, Remove, Replace };

struct FlagUpdate {
  FlagOp op = FlagOp::Add;
  Flags flags;
  std::optional<ModSeq> unchanged_since;  // RFC 7162 UNCHANGEDSINCE
};

struct FlagChange {
  Uid uid = 0;
  ModSeq modseq = 0;
  Flags flags;  // the flags after the change
};

struct StoreFlagsResult {
  std::vector<FlagChange> changed;  // only messages whose flags really changed
  std::vector<Uid> modified;        // failed UNCHANGEDSINCE (RFC 7162 MODIFIED)
};

struct CopyResult {
  uint32_t dest_uidvalidity = 0;
  std::vector<std::pair<Uid, Uid>> mapping;  // (source uid, destination uid), ascending source
};

struct ExpungeResult {
  std::vector<Uid> expunged;  // ascending
  ModSeq modseq = 0;          // of the expunge (0 if nothing was expunged)
};

// RFC 7162 / RFC 8620 style delta: everything that happened after `since`.
struct ChangesSince {
  std::vector<MessageState> changed;  // existing messages with modseq > since (new or re-flagged)
  std::vector<Uid> expunged;          // tombstones with modseq > since, ascending
  ModSeq highest_modseq = 0;
};

struct Usage {
  uint64_t bytes = 0;
  uint64_t messages = 0;
};

// A message the account's POP3 has hidden (DELE under policy `keep`), named by its bytes so the
// mark follows the message through IMAP moves (mailbox/pop3_maildrop.h).
struct Pop3Hidden {
  std::string blob_id;
  int64_t hidden_unix = 0;  // when it was first hidden (retention counts from here)
  bool operator==(const Pop3Hidden&) const = default;
};

// "mailbox X of account A changed at modseq N" (DESIGN.md events).
struct MailboxEvent {
  enum class Kind { Changed, Created, Deleted, Renamed };
  Kind kind = Kind::Changed;
  AccountId account = 0;
  MailboxId mailbox = 0;
  ModSeq modseq = 0;
};

}  // namespace roost::store
