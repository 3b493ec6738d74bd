#include "store/sqlite/sqlite_store.h"

#include <cctype>

#include "base/log.h"
#include "store/mailbox_name.h"
#include "store/sqlite/flag_snapshot.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/writes.h"

namespace roost::store::sqlite {
namespace {

constexpr size_t kMaxReaders = 16;
constexpr int kCheckpointPages = 1000;  // SQLite's own default limit

template <class T>
Result<std::vector<T>> collect(Statement& stmt, T (*decode)(const Statement&)) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(decode(stmt));
  }
}

}  // namespace

SqliteStore::SqliteStore(const SqliteStoreOptions& options, Env& env, Clock& clock)
    : env_(env),
      clock_(clock),
      data_dir_(options.data_dir),
      flag_snapshot_min_(options.flag_snapshot_min),
      blobs_(env, options.data_dir, options.durable, options.inline_blob_max),
      readers_(options.data_dir + "/index.sqlite", kMaxReaders),
      events_(std::make_shared<EventHub>()) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteStoreOptions& options, Env& env,
                                                       Clock& clock) {
  if (options.data_dir.empty()) return make_error(ErrorKind::Internal, "no data directory");
  ROOST_TRY(env.make_dirs(options.data_dir));
  auto marker = OpenMarker::acquire(options.data_dir + "/index.lock", options.durable);
  if (!marker) return marker.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(options, env, clock));
  ROOST_TRY(store->blobs_.init());
  auto db = Connection::open(options.data_dir + "/index.sqlite", true);
  if (!db) return db.error();
  auto migrated = prepare_schema(**db, options.durable);
  if (!migrated) return migrated.error();
  // The writer's page cache: 8 MiB. Not more: every commit after a b-tree page split walks the
  // whole cache (SQLite renumbers split pages through a page number past 1 GiB, and the next
  // commit's cache truncation then scans every hash slot). With 64 MiB that walk was 9% of an
  // inbound SMTP profile; at 8 MiB single-session SMTP took 13-22% more messages/s.
  ROOST_TRY((*db)->exec("PRAGMA cache_size=-8192"));
  // Statement journals (a statement that may fail halfway inside a bigger transaction) in
  // memory: otherwise each write transaction creates, writes and unlinks a file in /var/tmp.
  ROOST_TRY((*db)->exec("PRAGMA temp_store=MEMORY"));
  if (options.external_changes_ms > 0) {
    store->external_ =
        std::make_unique<ExternalChanges>(options.data_dir + "/index.sqlite", store->events_,
                                          std::chrono::milliseconds(options.external_changes_ms));
  }
  auto checkpoint_db = Connection::open(options.data_dir + "/index.sqlite", false);
  if (!checkpoint_db) return checkpoint_db.error();
  store->checkpointer_ =
      std::make_unique<Checkpointer>(**db, std::move(*checkpoint_db), kCheckpointPages);
  SqliteStore* self = store.get();
  store->blobs_.set_inline_reader(
      [self](const std::vector<std::string>& ids) { return self->inline_blobs(ids); });
  store->writer_ = std::make_unique<WriteQueue>(
      std::move(*db), [self](Connection& c, WriteEffects& e) { self->after_commit(c, e); });
  if ((*marker)->needs_repair() || (*migrated && (*marker)->alone())) {
    // Said before the scan, which takes a while on a big store.
    log::info("store.check", {{"why", *migrated ? "new or upgraded schema"
                                                : "the store was not closed cleanly"}});
    ROOST_TRY(store->repair());
  } else if ((*marker)->alone()) {
    // Closed cleanly, but a process that shared the store may have been killed mid-append since.
    auto temps = store->blobs_.clean_tmp();
    if (!temps) return temps.error();
    if (*temps != 0) log::info("store.open", {{"temp_files_removed", std::to_string(*temps)}});
  }
  ROOST_TRY((*marker)->opened());
  store->marker_ = std::move(*marker);
  return store;
}

Result<std::vector<std::shared_ptr<const MappedFile>>> SqliteStore::inline_blobs(
    const std::vector<std::string>& ids) {
  using Out = std::vector<std::shared_ptr<const MappedFile>>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);  // one snapshot and one lock for the batch
    ROOST_TRY(snapshot.status());
    auto stmt = db.prepare("SELECT bytes FROM inline_blobs WHERE id = ?");
    if (!stmt) return stmt.error();
    Out out;
    out.reserve(ids.size());
    for (const std::string& id : ids) {
      stmt->bind(1, id);
      auto row = stmt->step();
      if (!row) return row.error();
      out.push_back(*row ? FileBlobStore::view_of(std::string(stmt->blob_at(0))) : nullptr);
      stmt->reset();
    }
    return out;
  }, ids.size() >= kMappedReadMin);
}

void SqliteStore::after_commit(Connection& db, WriteEffects& effects) {
  for (const std::string& id : effects.freed_blobs) {
    // Re-checked under the blob lock: a later request may have re-added the blob.
    blobs_.remove_if_unused(id, [&] {
      auto stmt = db.prepare("SELECT 1 FROM blobs WHERE id = ?");
      if (!stmt) return false;
      stmt->bind(1, id);
      auto row = stmt->step();
      return row && !*row;
    });
  }
  if (external_) external_->note_published(effects.events);
  events_->publish(effects.events);
}

// --- accounts ---

Result<Account> SqliteStore::create_account(std::string_view name, std::string_view password_hash) {
  Account out;
  int64_t now = clock_.now_unix();
  ROOST_TRY(write(
      [&](WriteTxn& txn) { return sqlite::create_account(txn, name, password_hash, now, out); }));
  return out;
}

Result<Account> SqliteStore::find_account(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return read<Account>([&](Connection& db) -> Result<Account> {
    auto stmt = db.prepare("SELECT " ROOST_ACCOUNT_COLUMNS " FROM accounts WHERE name = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, lower);
    ROOST_TRY(stmt->expect_row("account"));
    return account_at(*stmt);
  });
}

Result<Account> SqliteStore::get_account(AccountId id) {
  return read<Account>([&](Connection& db) { return load_account(db, id); });
}

Result<std::vector<Account>> SqliteStore::list_accounts() {
  return read<std::vector<Account>>([&](Connection& db) -> Result<std::vector<Account>> {
    auto stmt = db.prepare("SELECT " ROOST_ACCOUNT_COLUMNS " FROM accounts ORDER BY name");
    if (!stmt) return stmt.error();
    return collect(*stmt, &account_at);
  });
}

Status SqliteStore::set_password_hash(AccountId id, std::string_view password_hash) {
  return write([&](WriteTxn& txn) { return sqlite::set_password_hash(txn, id, password_hash); });
}

Status SqliteStore::set_scram_credentials(AccountId id, std::string_view credentials) {
  return write([&](WriteTxn& txn) { return sqlite::set_scram_credentials(txn, id, credentials); });
}

Status SqliteStore::delete_account(AccountId id) {
  auto mailboxes = list_mailboxes(id);
  ROOST_TRY(write([&](WriteTxn& txn) { return sqlite::delete_account(txn, id); }));
  if (mailboxes) {
    for (const MailboxInfo& mb : *mailboxes) (void)env_.remove(flag_snapshot_path(data_dir_, mb.id));
  }
  return ok();
}

Result<Usage> SqliteStore::usage(AccountId id) {
  return read<Usage>([&](Connection& db) -> Result<Usage> {
    auto stmt = db.prepare("SELECT bytes, messages FROM usage WHERE account = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    ROOST_TRY(stmt->expect_row("account"));
    return Usage{static_cast<uint64_t>(stmt->int_at(0)), static_cast<uint64_t>(stmt->int_at(1))};
  });
}

// --- mailboxes ---

Result<std::vector<MailboxInfo>> SqliteStore::list_mailboxes(AccountId account) {
  using Out = std::vector<MailboxInfo>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    ROOST_TRY(load_account(db, account));
    auto stmt = db.prepare("SELECT " ROOST_MAILBOX_COLUMNS
                           " FROM mailboxes WHERE account = ? ORDER BY name");
    if (!stmt) return stmt.error();
    stmt->bind(1, account);
    return collect(*stmt, &mailbox_at);
  });
}

Result<MailboxInfo> SqliteStore::find_mailbox(AccountId account, std::string_view name) {
  auto canonical = canonical_mailbox_name(name);
  if (!canonical) return make_error(ErrorKind::NotFound, "mailbox not found");
  return read<MailboxInfo>([&](Connection& db) -> Result<MailboxInfo> {
    auto stmt = db.prepare("SELECT " ROOST_MAILBOX_COLUMNS
                           " FROM mailboxes WHERE account = ? AND name = ?");
    if (!stmt) return stmt.error();
    stmt->bind_all(account, *canonical);
    ROOST_TRY(stmt->expect_row("mailbox"));
    return mailbox_at(*stmt);
  });
}

Result<MailboxInfo> SqliteStore::get_mailbox(MailboxId id) {
  return read<MailboxInfo>([&](Connection& db) { return load_mailbox(db, id); });
}

Result<MailboxInfo> SqliteStore::create_mailbox(AccountId account, std::string_view name,
                                                SpecialUse role) {
  MailboxInfo out;
  int64_t now = clock_.now_unix();
  ROOST_TRY(write([&](WriteTxn& txn) {
    return sqlite::create_mailbox(txn, account, name, role, false, now, out);
  }));
  return out;
}

Status SqliteStore::delete_mailbox(MailboxId id) {
  ROOST_TRY(write([&](WriteTxn& txn) { return sqlite::delete_mailbox(txn, id); }));
  (void)env_.remove(flag_snapshot_path(data_dir_, id));  // most mailboxes have none
  return ok();
}

Status SqliteStore::rename_mailbox(MailboxId id, std::string_view new_name) {
  int64_t now = clock_.now_unix();
  return write([&](WriteTxn& txn) { return sqlite::rename_mailbox(txn, id, new_name, now); });
}

Status SqliteStore::set_subscribed(MailboxId id, bool subscribed) {
  return write([&](WriteTxn& txn) { return sqlite::set_subscribed(txn, id, subscribed); });
}

Status SqliteStore::set_role(MailboxId id, SpecialUse role) {
  return write([&](WriteTxn& txn) { return sqlite::set_role(txn, id, role); });
}

// --- messages ---

Result<AppendResult> SqliteStore::append(MailboxId mailbox, std::vector<NewMessage> messages) {
  AppendResult out;
  int64_t now = clock_.now_unix();
  std::vector<std::shared_ptr<const std::string>> inline_bytes;
  for (const NewMessage& m : messages) inline_bytes.push_back(blobs_.staged(m.blob.id));
  Status st = write(
      [&](WriteTxn& txn) { return sqlite::append(txn, mailbox, messages, inline_bytes, now, out); });
  // The blobs are referenced by the index now (or the append failed): let removal go on.
  for (const NewMessage& m : messages) blobs_.unpin(m.blob.id);
  if (!st) return st.error();
  return out;
}

bool SqliteStore::many(const UidSet& uids) {
  uint64_t n = 0;
  for (const UidRange& r : uids) {
    n += uint64_t{r.last} - r.first + 1;
    if (n >= kMappedReadMin) return true;
  }
  return false;
}

Result<std::vector<MessageEntry>> SqliteStore::list_messages(MailboxId mailbox,
                                                             const UidSet& uids) {
  using Out = std::vector<MessageEntry>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    ROOST_TRY(load_mailbox(db, mailbox));
    auto stmt = db.prepare("SELECT " ROOST_ENTRY_COLUMNS
                           " FROM messages WHERE mailbox = ? AND uid BETWEEN ? AND ? ORDER BY uid");
    if (!stmt) return stmt.error();
    Out out;
    for (const UidRange& r : uids) {
      stmt->bind_all(mailbox, r.first, r.last);
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(entry_at(*stmt));
      }
      stmt->reset();
    }
    return out;
  }, many(uids));
}

Result<std::vector<MessageState>> SqliteStore::message_states(MailboxId mailbox) {
  using Out = std::vector<MessageState>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto mb = load_mailbox(db, mailbox);
    if (!mb) return mb.error();
    // The covering index keeps this a narrow sequential scan (no blob ids, no dates).
    auto stmt = db.prepare(
        "SELECT uid, modseq, flags, keywords FROM messages INDEXED BY messages_state "
        "WHERE mailbox = ? ORDER BY uid");
    if (!stmt) return stmt.error();
    stmt->bind(1, mailbox);
    Out out;
    out.reserve(mb->messages);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      MessageState& s = out.emplace_back();
      s.uid = static_cast<Uid>(stmt->int_at(0));
      s.modseq = static_cast<ModSeq>(stmt->int_at(1));
      s.flags.system = static_cast<uint32_t>(stmt->int_at(2));
      std::string_view keywords = stmt->text_at(3);
      if (!keywords.empty()) split_keywords(keywords, s.flags.keywords);
    }
    return out;
  });
}

Result<std::string> SqliteStore::parsed_of(const std::string& blob_id) {
  return read<std::string>([&](Connection& db) -> Result<std::string> {
    auto stmt = db.prepare("SELECT parsed FROM blobs WHERE id = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, blob_id);
    ROOST_TRY(stmt->expect_row("blob"));
    return std::string(stmt->blob_at(0));
  });
}

Result<std::vector<std::string>> SqliteStore::parsed_of_many(
    const std::vector<std::string>& blob_ids) {
  using Out = std::vector<std::string>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);  // one snapshot and one lock for the batch
    ROOST_TRY(snapshot.status());
    auto stmt = db.prepare("SELECT parsed FROM blobs WHERE id = ?");
    if (!stmt) return stmt.error();
    Out out;
    out.reserve(blob_ids.size());
    for (const std::string& id : blob_ids) {
      stmt->bind(1, id);
      ROOST_TRY(stmt->expect_row("blob"));
      out.emplace_back(stmt->blob_at(0));
      stmt->reset();
    }
    return out;
  }, blob_ids.size() >= kMappedReadMin);
}

Result<std::vector<std::pair<Uid, std::string>>> SqliteStore::headers(MailboxId mailbox,
                                                                      const UidSet& uids) {
  using Out = std::vector<std::pair<Uid, std::string>>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto stmt = db.prepare(
        "SELECT uid, header FROM message_headers WHERE mailbox = ? AND uid BETWEEN ? AND ? "
        "ORDER BY uid");
    if (!stmt) return stmt.error();
    Out out;
    for (const UidRange& r : uids) {
      stmt->bind_all(mailbox, r.first, r.last);
      for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out.emplace_back(static_cast<Uid>(stmt->int_at(0)), std::string(stmt->blob_at(1)));
      }
      stmt->reset();
    }
    return out;
  }, many(uids));
}

Result<std::optional<Uid>> SqliteStore::find_by_blob(MailboxId mailbox,
                                                     const std::string& blob_id) {
  using Out = std::optional<Uid>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    auto stmt =
        db.prepare("SELECT uid FROM messages WHERE blob = ? AND mailbox = ? ORDER BY uid LIMIT 1");
    if (!stmt) return stmt.error();
    stmt->bind_all(blob_id, mailbox);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return Out();
    return Out(static_cast<Uid>(stmt->int_at(0)));
  });
}

Result<StoreFlagsResult> SqliteStore::store_flags(MailboxId mailbox, const UidSet& uids,
                                                  const FlagUpdate& update) {
  StoreFlagsResult out;
  ROOST_TRY(write([&](WriteTxn& txn) {
    out = {};  // a retried batch must not see a half-filled result
    return sqlite::store_flags(txn, mailbox, uids, update, out);
  }));
  return out;
}

Result<CopyResult> SqliteStore::copy(MailboxId from, const UidSet& uids, MailboxId to) {
  CopyResult out;
  int64_t now = clock_.now_unix();
  ROOST_TRY(
      write([&](WriteTxn& txn) { return sqlite::copy(txn, from, uids, to, false, now, out); }));
  return out;
}

Result<CopyResult> SqliteStore::move(MailboxId from, const UidSet& uids, MailboxId to) {
  CopyResult out;
  int64_t now = clock_.now_unix();
  ROOST_TRY(
      write([&](WriteTxn& txn) { return sqlite::copy(txn, from, uids, to, true, now, out); }));
  return out;
}

Result<ExpungeResult> SqliteStore::expunge(MailboxId mailbox, const UidSet& uids) {
  ExpungeResult out;
  ROOST_TRY(write([&](WriteTxn& txn) {
    out = {};
    return sqlite::expunge(txn, mailbox, uids, out);
  }));
  return out;
}

Result<ChangesSince> SqliteStore::changes_since(MailboxId mailbox, ModSeq since) {
  return read<ChangesSince>([&](Connection& db) -> Result<ChangesSince> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto mb = load_mailbox(db, mailbox);
    if (!mb) return mb.error();
    ChangesSince out;
    out.highest_modseq = mb->highest_modseq;
    // By MODSEQ, then sorted: a refresh asks for the few changes since the view's MODSEQ, and
    // the planner's own choice (the UID order of messages_state) read the whole mailbox.
    auto stmt = db.prepare(
        "SELECT uid, modseq, flags, keywords FROM messages INDEXED BY messages_by_modseq "
        "WHERE mailbox = ? AND modseq > ? ORDER BY uid");
    if (!stmt) return stmt.error();
    stmt->bind_all(mailbox, since);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      MessageState& s = out.changed.emplace_back();
      s.uid = static_cast<Uid>(stmt->int_at(0));
      s.modseq = static_cast<ModSeq>(stmt->int_at(1));
      s.flags.system = static_cast<uint32_t>(stmt->int_at(2));
      split_keywords(stmt->text_at(3), s.flags.keywords);
    }
    auto tombs = tombstones_since(db, mailbox, since);
    if (!tombs) return tombs.error();
    out.expunged = std::move(*tombs);
    return out;
  });
}

std::unique_ptr<Subscription> SqliteStore::subscribe(
    AccountId account, std::function<void(const MailboxEvent&)> callback) {
  return events_->subscribe(account, std::move(callback));
}

}  // namespace roost::store::sqlite

namespace roost::store {

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteStoreOptions& options) {
  auto store = sqlite::SqliteStore::open(options, Env::real(), Clock::system());
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace roost::store
