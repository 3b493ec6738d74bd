// Store: the one interface every protocol reads and the mailbox layer writes
// (DESIGN.md "store/"). SQLite implements it now (store/sqlite), PostgreSQL later;
// both must pass tests/store.
//
// Contract:
// - Thread-safe; calls block (disk, fsync), so protocol sessions call them from a
//   store worker thread, never from an I/O thread.
// - Every mutating call is one atomic transaction, durable when it returns ok
//   (group commit may merge concurrent calls into one fsync).
// - Each mutation of a mailbox takes a fresh MODSEQ from that mailbox (strictly
//   increasing) and fires a MailboxEvent to subscribers after commit.
// - UIDs are strictly ascending and never reused within a UIDVALIDITY.
// - Errors: NotFound (account/mailbox), Exists (name taken), NoPerm (e.g. deleting
//   INBOX), Syntax (bad mailbox name), Io/Corrupt/Internal (server side).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/blob_store.h"
#include "store/types.h"

namespace roost::store {

// Unsubscribes when destroyed.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual BlobStore& blobs() = 0;

  // --- accounts ---
  // Creates the account with INBOX, Sent, Drafts, Trash, Junk, Archive (all subscribed).
  virtual Result<Account> create_account(std::string_view name, std::string_view password_hash) = 0;
  virtual Result<Account> find_account(std::string_view name) = 0;  // name is lower-cased first
  virtual Result<Account> get_account(AccountId id) = 0;
  virtual Result<std::vector<Account>> list_accounts() = 0;
  virtual Status set_password_hash(AccountId id, std::string_view password_hash) = 0;
  // RFC 5803 text (auth::format_scram); stored as given, "" clears.
  virtual Status set_scram_credentials(AccountId id, std::string_view credentials) = 0;
  // Removes the account, its mailboxes and messages; unreferenced blobs are freed.
  virtual Status delete_account(AccountId id) = 0;
  virtual Result<Usage> usage(AccountId id) = 0;

  // --- mailboxes ---
  virtual Result<std::vector<MailboxInfo>> list_mailboxes(AccountId account) = 0;
  // "INBOX" matches case-insensitively; other names exactly.
  virtual Result<MailboxInfo> find_mailbox(AccountId account, std::string_view name) = 0;
  virtual Result<MailboxInfo> get_mailbox(MailboxId id) = 0;
  // Creates missing parents too (as plain mailboxes). Fresh UIDVALIDITY.
  virtual Result<MailboxInfo> create_mailbox(AccountId account, std::string_view name,
                                             SpecialUse role = SpecialUse::None) = 0;
  // Deletes one mailbox and its messages (not its children). NoPerm for INBOX.
  virtual Status delete_mailbox(MailboxId id) = 0;
  // Renames the mailbox and all its children ("a/b" -> "c/b" when "a" -> "c").
  // NoPerm for INBOX (INBOX rename is done by the mailbox layer as a move of all).
  virtual Status rename_mailbox(MailboxId id, std::string_view new_name) = 0;
  virtual Status set_subscribed(MailboxId id, bool subscribed) = 0;
  virtual Status set_role(MailboxId id, SpecialUse role) = 0;

  // --- messages ---
  // Appends all or none (MULTIAPPEND). Blobs must be committed first.
  virtual Result<AppendResult> append(MailboxId mailbox, std::vector<NewMessage> messages) = 0;
  virtual Result<std::vector<MessageEntry>> list_messages(MailboxId mailbox,
                                                          const UidSet& uids) = 0;
  // Compact state of every message, ascending UID: what SELECT needs.
  virtual Result<std::vector<MessageState>> message_states(MailboxId mailbox) = 0;
  // The mailbox row, keywords in use and (when `first_unseen`) the first unseen message's
  // sequence number, from one snapshot; cost independent of the number of messages, except the
  // first-unseen count (bounded by the smaller side of that message).
  virtual Result<MailboxSummary> mailbox_summary(MailboxId mailbox, bool first_unseen) = 0;
  // message_states() as columns, plus what changed after `since` (a MODSEQ the caller knows).
  virtual Result<FlagTable> flag_table(MailboxId mailbox, ModSeq since) = 0;
  // The serialized mime::ParsedMessage stored with the blob at append.
  virtual Result<std::string> parsed_of(const std::string& blob_id) = 0;
  // The same for many blobs in one read, in the order given (SEARCH and SORT read batches).
  // NotFound when one is unknown.
  virtual Result<std::vector<std::string>> parsed_of_many(
      const std::vector<std::string>& blob_ids) = 0;
  // The top-level header blocks kept at append (NewMessage::header) of the messages in `uids`,
  // ascending UID; a message whose header was not kept is left out (read its blob).
  virtual Result<std::vector<std::pair<Uid, std::string>>> headers(MailboxId mailbox,
                                                                   const UidSet& uids) = 0;
  // The UID of a message with exactly these bytes in the mailbox, if any (import dedupe).
  virtual Result<std::optional<Uid>> find_by_blob(MailboxId mailbox,
                                                  const std::string& blob_id) = 0;
  virtual Result<StoreFlagsResult> store_flags(MailboxId mailbox, const UidSet& uids,
                                               const FlagUpdate& update) = 0;
  // New entries in `to` share the source blobs. Flags and internal dates are kept.
  virtual Result<CopyResult> copy(MailboxId from, const UidSet& uids, MailboxId to) = 0;
  // copy + expunge from the source, atomically (RFC 6851).
  virtual Result<CopyResult> move(MailboxId from, const UidSet& uids, MailboxId to) = 0;
  // Removes the messages, leaving tombstones for QRESYNC/JMAP changes.
  virtual Result<ExpungeResult> expunge(MailboxId mailbox, const UidSet& uids) = 0;
  // Tombstones older than what a client asks about are kept until pruned.
  virtual Result<ChangesSince> changes_since(MailboxId mailbox, ModSeq since) = 0;

  // --- per-account settings: a small key/value map ("pop3.delete_policy", ...) ---
  // nullopt when the key is unset. NotFound for an unknown account.
  virtual Result<std::optional<std::string>> account_setting(AccountId account,
                                                             std::string_view key) = 0;
  // Sets the key; "" deletes it. Syntax for an empty key, NotFound for an unknown account.
  virtual Status set_account_setting(AccountId account, std::string_view key,
                                     std::string_view value) = 0;

  // --- POP3 (mailbox/pop3_maildrop.h) ---
  // Hides these blobs from the account's POP3 maildrop (DELE under policy `keep`). Marks name
  // bytes, not (mailbox, UID), so they survive IMAP moves out of INBOX and back; a blob already
  // hidden keeps its first time. NotFound for an unknown account.
  virtual Status hide_from_pop3(AccountId account, const std::vector<std::string>& blob_ids,
                                int64_t now_unix) = 0;
  // Every mark of the account, in blob id order. NotFound for an unknown account.
  virtual Result<std::vector<Pop3Hidden>> pop3_hidden(AccountId account) = 0;
  // Forgets the marks of blobs no mailbox of the account holds any more (expunged by IMAP,
  // retention or DELE), so the set stays as small as the account; returns how many went.
  virtual Result<uint64_t> prune_pop3_hidden(AccountId account) = 0;
  // Cached "CRLF sizes": each blob's size as POP3 RETR sends it (bare LF counted as CR LF;
  // mailbox::pop3_size), computed by the caller once per blob. In the order given; nullopt when
  // not cached yet or the blob is unknown. The cache goes with the blob.
  virtual Result<std::vector<std::optional<uint64_t>>> crlf_sizes(
      const std::vector<std::string>& blob_ids) = 0;
  // Caches sizes (blob id, CRLF size); blobs that are gone are skipped.
  virtual Status set_crlf_sizes(const std::vector<std::pair<std::string, uint64_t>>& sizes) = 0;

  // --- notification ---
  // The callback runs on the committing thread after commit: keep it short (post
  // to your own executor). Events for every mailbox of the account.
  virtual std::unique_ptr<Subscription> subscribe(
      AccountId account, std::function<void(const MailboxEvent&)> callback) = 0;

  // --- maintenance ---
  // Crash repair: removes temp files and blobs no entry references; reports entries whose blob
  // is missing. Returns a human-readable summary. Opening a store runs it when the last process
  // to use the store did not close it; call it only while no other process has the store open.
  virtual Result<std::string> repair() = 0;
};

struct SqliteStoreOptions {
  std::string data_dir;  // index at data_dir/index.sqlite, blobs under data_dir/blobs
  bool durable = true;   // fsync on commit; false only for throwaway test stores
  // Poll for commits other processes make (roost import while the server runs) and publish
  // them to subscribers (sqlite/external_changes.h); 0 = off. The server uses it, the CLI not.
  int64_t external_changes_ms = 0;
  // Blobs up to this size are kept in the index instead of a file of their own: one fsync (the
  // index commit) instead of four or five per new message. 0 = every blob in a file.
  uint64_t inline_blob_max = 64 * 1024;
  // Mailboxes of this many messages or more keep their flag table in a file of its own as well
  // (sqlite/flag_snapshot.h), read at the first FETCH 1:* FLAGS of a session. 0 = never.
  uint32_t flag_snapshot_min = 50000;
};

// Opens (creating if needed) the embedded store; runs repair() after an unclean stop.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteStoreOptions& options);

}  // namespace roost::store
