// SqliteStore: the embedded Store (store.h) — SQLite index in WAL mode plus
// content-addressed blob files (small blobs inside the index: file_blob_store.h). Writes go through one writer thread with group
// commit (write_queue.h); reads use a pool of query-only connections.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/env.h"
#include "store/event_hub.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/external_changes.h"
#include "store/sqlite/file_blob_store.h"
#include "store/sqlite/open_marker.h"
#include "store/sqlite/read_pool.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/write_queue.h"
#include "store/store.h"

namespace roost::store::sqlite {

struct FlagRows;

class SqliteStore final : public Store {
 public:
  // Opens the store; runs repair() first if the last process that had it open did not close it
  // (open_marker.h).
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteStoreOptions& options, Env& env,
                                                   Clock& clock);
  ~SqliteStore() override;

  BlobStore& blobs() override { return blobs_; }

  Result<Account> create_account(std::string_view name, std::string_view password_hash) override;
  Result<Account> find_account(std::string_view name) override;
  Result<Account> get_account(AccountId id) override;
  Result<std::vector<Account>> list_accounts() override;
  Status set_password_hash(AccountId id, std::string_view password_hash) override;
  Status set_scram_credentials(AccountId id, std::string_view credentials) override;
  Status delete_account(AccountId id) override;
  Result<Usage> usage(AccountId id) override;

  Result<std::vector<MailboxInfo>> list_mailboxes(AccountId account) override;
  Result<MailboxInfo> find_mailbox(AccountId account, std::string_view name) override;
  Result<MailboxInfo> get_mailbox(MailboxId id) override;
  Result<MailboxInfo> create_mailbox(AccountId account, std::string_view name,
                                     SpecialUse role) override;
  Status delete_mailbox(MailboxId id) override;
  Status rename_mailbox(MailboxId id, std::string_view new_name) override;
  Status set_subscribed(MailboxId id, bool subscribed) override;
  Status set_role(MailboxId id, SpecialUse role) override;

  Result<AppendResult> append(MailboxId mailbox, std::vector<NewMessage> messages) override;
  Result<std::vector<MessageEntry>> list_messages(MailboxId mailbox, const UidSet& uids) override;
  Result<std::vector<MessageState>> message_states(MailboxId mailbox) override;
  Result<MailboxSummary> mailbox_summary(MailboxId mailbox, bool first_unseen) override;
  Result<FlagTable> flag_table(MailboxId mailbox, ModSeq since) override;
  // flag_table() reads a mailbox of this many messages or more as several UID ranges on as many
  // threads and connections (view_reads.cc). Below it the scan takes a few ms on one thread, and the
  // second connection (opened by the first such read) and thread cost about what they save: the
  // first FETCH 1:* FLAGS after a start at 20,000 messages was 1.7 ms slower split.
  static constexpr uint32_t kSplitScanMin = 50000;
  // ... one range per this many messages (at least two), at most kMaxScans ranges.
  static constexpr uint32_t kRowsPerScan = 25000;
  static constexpr size_t kMaxScans = 8;
  // A snapshot (flag_snapshot.h) is rewritten when a load applied this many changes to it.
  static constexpr size_t kSnapshotRewrite = 2000;
  Result<std::string> parsed_of(const std::string& blob_id) override;
  Result<std::vector<std::string>> parsed_of_many(
      const std::vector<std::string>& blob_ids) override;
  Result<std::vector<std::pair<Uid, std::string>>> headers(MailboxId mailbox,
                                                           const UidSet& uids) override;
  Result<std::optional<Uid>> find_by_blob(MailboxId mailbox, const std::string& blob_id) override;
  Result<StoreFlagsResult> store_flags(MailboxId mailbox, const UidSet& uids,
                                       const FlagUpdate& update) override;
  Result<CopyResult> copy(MailboxId from, const UidSet& uids, MailboxId to) override;
  Result<CopyResult> move(MailboxId from, const UidSet& uids, MailboxId to) override;
  Result<ExpungeResult> expunge(MailboxId mailbox, const UidSet& uids) override;
  Result<ChangesSince> changes_since(MailboxId mailbox, ModSeq since) override;

  // settings_and_pop3.cc
  Result<std::optional<std::string>> account_setting(AccountId account,
                                                     std::string_view key) override;
  Status set_account_setting(AccountId account, std::string_view key,
                             std::string_view value) override;
  Status hide_from_pop3(AccountId account, const std::vector<std::string>& blob_ids,
                        int64_t now_unix) override;
  Result<std::vector<Pop3Hidden>> pop3_hidden(AccountId account) override;
  Result<uint64_t> prune_pop3_hidden(AccountId account) override;
  Result<std::vector<std::optional<uint64_t>>> crlf_sizes(
      const std::vector<std::string>& blob_ids) override;
  Status set_crlf_sizes(const std::vector<std::pair<std::string, uint64_t>>& sizes) override;

  std::unique_ptr<Subscription> subscribe(
      AccountId account, std::function<void(const MailboxEvent&)> callback) override;

  Result<std::string> repair() override;

  // Group-commit counters (tests check that concurrent writes share commits).
  WriteStats write_stats() const { return writer_->stats(); }
  // Background checkpoints run so far (tests).
  uint64_t checkpoints() const { return checkpointer_->checkpoints(); }

 private:
  SqliteStore(const SqliteStoreOptions& options, Env& env, Clock& clock);
  Status write(WriteQueue::Body body) { return writer_->submit(std::move(body)); }
  void after_commit(Connection& db, WriteEffects& effects);
  // flag_table() of a mailbox: the full read of its flag rows, and the read from its snapshot
  // plus the changes since (nullopt when the snapshot is missing, stale or too far behind).
  Status scan_flag_rows(Connection& db, const MailboxInfo& mb, FlagRows& rows);
  Result<std::optional<FlagRows>> snapshot_flag_rows(Connection& db, const MailboxInfo& mb);
  void save_flag_snapshot(const MailboxInfo& mb, const FlagRows& rows);
  // The bytes the index holds of these blobs, in order (null where it holds none).
  Result<std::vector<std::shared_ptr<const MappedFile>>> inline_blobs(
      const std::vector<std::string>& ids);
  // Runs `f` on a pooled read-only connection; `many`: with the index mapped (schema.h,
  // MappedRead), for a read of kMappedReadMin rows or more.
  template <class T, class F>
  Result<T> read(F&& f, bool many = false) {
    auto lease = readers_.acquire();
    if (!lease) return lease.error();
    std::optional<MappedRead> mapped;
    if (many) mapped.emplace(**lease);
    return f(**lease);
  }
  static constexpr uint64_t kMappedReadMin = 256;
  static bool many(const UidSet& uids);

  Env& env_;
  Clock& clock_;
  std::string data_dir_;
  uint32_t flag_snapshot_min_;
  // Declared before everything that writes: it records the clean close after they are gone.
  std::unique_ptr<OpenMarker> marker_;
  FileBlobStore blobs_;
  ReadPool readers_;
  std::shared_ptr<EventHub> events_;
  std::unique_ptr<ExternalChanges> external_;  // when options.external_changes_ms > 0
  std::unique_ptr<WriteQueue> writer_;  // finishes its batch before the rest goes
  // Watches the writer's connection: declared after writer_ so that it goes first.
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace roost::store::sqlite
