// Row <-> value conversions shared by the SQLite reads and writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/sqlite/connection.h"
#include "store/types.h"

namespace roost::store::sqlite {

// Column lists as macros so full statements stay string literals (the statement
// cache is keyed by the literal's address).
#define ROOST_MAILBOX_COLUMNS                                                            \
  "id, account, name, role, subscribed, uidvalidity, uidnext, highestmodseq, messages, " \
  "unseen, deleted, bytes"
#define ROOST_ACCOUNT_COLUMNS "id, name, password_hash, created, scram"
#define ROOST_ENTRY_COLUMNS \
  "uid, modseq, blob, size, flags, keywords, internal_date, tz, save_date, sent_date"

MailboxInfo mailbox_at(const Statement& row);  // ROOST_MAILBOX_COLUMNS from column 0
Account account_at(const Statement& row);      // ROOST_ACCOUNT_COLUMNS from column 0
MessageEntry entry_at(const Statement& row);   // ROOST_ENTRY_COLUMNS from column 0

Result<MailboxInfo> load_mailbox(Connection& db, MailboxId id);
// UIDs of the mailbox's tombstones newer than `since`, ascending (by tombstones_by_modseq).
Result<std::vector<Uid>> tombstones_since(Connection& db, MailboxId mailbox, ModSeq since);
Result<Account> load_account(Connection& db, AccountId id);

// Keywords are atoms (RFC 9051 §9 flag-keyword), so a space separates them in storage.
std::string join_keywords(const std::vector<std::string>& keywords);
void split_keywords(std::string_view text, std::vector<std::string>& out);
// Syntax unless every keyword is a non-empty atom of printable ASCII without specials.
Status check_keywords(const std::vector<std::string>& keywords);

inline constexpr uint32_t kKnownFlags = kSeen | kAnswered | kFlagged | kDeleted | kDraft;

}  // namespace roost::store::sqlite
