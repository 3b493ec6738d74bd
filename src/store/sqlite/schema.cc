#include "store/sqlite/schema.h"

#include <string>

#include "base/log.h"
#include "mime/message.h"

namespace roost::store::sqlite {
namespace {

// Version 1. Counters on mailboxes and usage are maintained by every write so that
// STATUS and quota checks are O(1); repair() recomputes them if they drift.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

-- AUTOINCREMENT: ids are never reused, so a stale id held by a session cannot
-- silently point at a newer account or mailbox.
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created INTEGER NOT NULL
);

CREATE TABLE usage(
  account INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  bytes INTEGER NOT NULL DEFAULT 0,
  messages INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE mailboxes(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role INTEGER NOT NULL DEFAULT 0,
  subscribed INTEGER NOT NULL DEFAULT 0,
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highestmodseq INTEGER NOT NULL DEFAULT 1,
  messages INTEGER NOT NULL DEFAULT 0,
  unseen INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE(account, name)
);

CREATE TABLE blobs(
  id TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  refcount INTEGER NOT NULL,
  parsed BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE messages(
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  keywords TEXT NOT NULL,
  internal_date INTEGER NOT NULL,
  tz INTEGER NOT NULL,
  save_date INTEGER NOT NULL,
  PRIMARY KEY(mailbox, uid)
) WITHOUT ROWID;
-- CONDSTORE/QRESYNC deltas.
CREATE INDEX messages_by_modseq ON messages(mailbox, modseq);
-- Covering index for message_states(): SELECT reads only this narrow b-tree.
CREATE INDEX messages_state ON messages(mailbox, uid, modseq, flags, keywords);
-- find_by_blob() and blob reference checks.
CREATE INDEX messages_by_blob ON messages(blob, mailbox);

CREATE TABLE tombstones(
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY(mailbox, uid)
) WITHOUT ROWID;
CREATE INDEX tombstones_by_modseq ON tombstones(mailbox, modseq);

INSERT INTO meta(key, value) VALUES ('last_uidvalidity', 0);
)sql";

// Version 2: SCRAM-SHA-256 credentials (RFC 5803 text) beside the password hash. Accounts from
// version 1 get "" and have no SCRAM login until their password is set again.
constexpr const char* kSchemaV2Changes = R"sql(
ALTER TABLE accounts ADD COLUMN scram TEXT NOT NULL DEFAULT '';
)sql";

// Version 3: per-account settings, the marks of messages POP3 has hidden (policy `keep`,
// keyed by blob so they follow moves) and each blob's cached CRLF size (POP3 LIST/RETR). The
// new tables cascade with their account; crlf_size starts NULL (not computed yet).
constexpr const char* kSchemaV3Changes = R"sql(
CREATE TABLE account_settings(
  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(account, key)
) WITHOUT ROWID;
CREATE TABLE pop3_hidden(
  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  blob TEXT NOT NULL,
  hidden INTEGER NOT NULL,
  PRIMARY KEY(account, blob)
) WITHOUT ROWID;
ALTER TABLE blobs ADD COLUMN crlf_size INTEGER;
)sql";

// Version 4: what SORT and SEARCH HEADER read without the parsed message or the blob: each
// entry's sent date (NULL: no valid Date header) and its top-level header block (no row: not
// kept, read the blob), keyed like messages so a search reads a mailbox's headers in one range
// scan. Sent dates are back-filled from `parsed`; entries from before have no header row.
constexpr const char* kSchemaV4Changes = R"sql(
ALTER TABLE messages ADD COLUMN sent_date INTEGER;
CREATE TABLE message_headers(
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  header BLOB NOT NULL,
  PRIMARY KEY(mailbox, uid)
) WITHOUT ROWID;
)sql";

// Version 5: SELECT without a scan of the mailbox (store::mailbox_summary): the first message
// without \Seen and the distinct keyword sets in use come from partial indexes that hold only
// the messages they are about. The upgrade builds them from the existing rows.
constexpr const char* kSchemaV5Changes = R"sql(
CREATE INDEX IF NOT EXISTS messages_unseen ON messages(mailbox, uid) WHERE flags & 1 = 0;
CREATE INDEX IF NOT EXISTS messages_keywords ON messages(mailbox, keywords) WHERE keywords <> '';
)sql";

// Version 6: small blobs live in the index (store/sqlite/file_blob_store.h): a delivery is
// durable with the index commit alone. Rows come and go with their `blobs` row.
constexpr const char* kSchemaV6Changes = R"sql(
CREATE TABLE IF NOT EXISTS inline_blobs(
  id TEXT PRIMARY KEY,
  bytes BLOB NOT NULL
);
)sql";

constexpr int64_t kProgressEvery = 100000;  // blobs between two upgrade progress lines

Status backfill_sent_dates(Connection& db) {
  auto total = db.prepare("SELECT count(*) FROM blobs");
  if (!total) return total.error();
  ROOST_TRY(total->expect_row("blob count"));
  int64_t count = total->int_at(0);
  total->reset();
  if (count >= kProgressEvery) {
    log::info("store.upgrade",
              {{"schema", "4"}, {"step", "sent dates"}, {"blobs", std::to_string(count)}});
  }
  auto blobs = db.prepare("SELECT id, parsed FROM blobs");
  if (!blobs) return blobs.error();
  auto update = db.prepare("UPDATE messages SET sent_date = ? WHERE blob = ?");
  if (!update) return update.error();
  for (int64_t done = 0;; ++done) {
    auto row = blobs->step();
    if (!row) return row.error();
    if (!*row) break;
    if (done > 0 && done % kProgressEvery == 0) {
      log::info("store.upgrade", {{"schema", "4"},
                                  {"step", "sent dates"},
                                  {"done", std::to_string(done)},
                                  {"blobs", std::to_string(count)}});
    }
    // An unreadable parsed message keeps NULL, as a message without a Date header.
    auto parsed = mime::deserialize(blobs->blob_at(1));
    if (!parsed || parsed->date_unix == -1) continue;
    ROOST_TRY(update->bind_all(parsed->date_unix, blobs->text_at(0)).run());
  }
  return ok();
}

Result<int> read_version(Connection& db) {
  ROOST_TRY(db.exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)"));
  auto stmt = db.prepare("SELECT version FROM schema_version");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return *row ? static_cast<int>(stmt->int_at(0)) : 0;
}

// One step per version; each runs inside the migration transaction.
Status migrate(Connection& db, int from) {
  if (from < 1) ROOST_TRY(db.exec(kSchemaV1));
  if (from < 2) ROOST_TRY(db.exec(kSchemaV2Changes));
  if (from < 3) ROOST_TRY(db.exec(kSchemaV3Changes));
  if (from < 4) ROOST_TRY(db.exec(kSchemaV4Changes));
  if (from >= 1 && from < 4) ROOST_TRY(backfill_sent_dates(db));
  if (from < 5) ROOST_TRY(db.exec(kSchemaV5Changes));
  if (from < 6) ROOST_TRY(db.exec(kSchemaV6Changes));
  ROOST_TRY(db.exec("DELETE FROM schema_version"));
  auto stmt = db.prepare("INSERT INTO schema_version(version) VALUES (?)");
  if (!stmt) return stmt.error();
  return stmt->bind(1, int64_t{kSchemaVersion}).run();
}

}  // namespace

Result<bool> prepare_schema(Connection& db, bool durable) {
  ROOST_TRY(db.exec("PRAGMA journal_mode=WAL"));
  ROOST_TRY(db.exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  ROOST_TRY(db.exec("BEGIN IMMEDIATE"));
  auto version = read_version(db);
  Status st = version ? ok() : Status(version.error());
  if (st && *version > kSchemaVersion) {
    st = make_error(ErrorKind::Corrupt, "index is from a newer Roost",
                    "schema version " + std::to_string(*version));
  }
  bool migrated = st && *version < kSchemaVersion;
  if (migrated) st = migrate(db, *version);
  if (!st) {
    (void)db.exec("ROLLBACK");
    return st.error();
  }
  ROOST_TRY(db.exec("COMMIT"));
  return migrated;
}

Status prepare_reader(Connection& db) {
  // Not mapped by default: in WAL mode SQLite unmaps the file at the start of every read
  // transaction that follows a commit, so with writes going on each small read paid an munmap
  // (with a TLB shootdown on the other cores), an mmap and page faults (4.75% of the server's
  // samples in imap-mixed, gone unmapped; the commands/s A/B stayed within the noise).
  return db.exec("PRAGMA query_only=1; PRAGMA mmap_size=0");
}

// Up to 1 GiB of the index (the rest is read as before). The pages are the kernel's page cache,
// shared with every other connection, not heap.
MappedRead::MappedRead(Connection& db) : db_(db) {
  (void)db_.exec("PRAGMA mmap_size=1073741824");  // best effort: unmapped reads work too
}

MappedRead::~MappedRead() { (void)db_.exec("PRAGMA mmap_size=0"); }

}  // namespace roost::store::sqlite
