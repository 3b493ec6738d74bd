// Per-account settings, POP3 hidden marks and cached CRLF sizes (store.h): small tables beside
// the mailbox model, added in schema version 3.
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace roost::store::sqlite {
namespace {

Status check_account(Connection& db, AccountId account) {
  auto found = load_account(db, account);
  if (!found) return found.error();
  return ok();
}

}  // namespace

Result<std::optional<std::string>> SqliteStore::account_setting(AccountId account,
                                                                std::string_view key) {
  using Out = std::optional<std::string>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto stmt = db.prepare("SELECT value FROM account_settings WHERE account = ? AND key = ?");
    if (!stmt) return stmt.error();
    stmt->bind_all(account, key);
    auto row = stmt->step();
    if (!row) return row.error();
    if (*row) return Out(std::string(stmt->text_at(0)));
    ROOST_TRY(
        check_account(db, account));  // only a miss pays for telling "unset" from "no account"
    return Out();
  });
}

Status SqliteStore::set_account_setting(AccountId account, std::string_view key,
                                        std::string_view value) {
  if (key.empty()) return make_error(ErrorKind::Syntax, "empty setting name");
  return write([&](WriteTxn& txn) -> Status {
    ROOST_TRY(check_account(txn.db, account));
    if (value.empty()) {
      auto del = txn.db.prepare("DELETE FROM account_settings WHERE account = ? AND key = ?");
      if (!del) return del.error();
      return del->bind_all(account, key).run();
    }
    auto put = txn.db.prepare(
        "INSERT INTO account_settings(account, key, value) VALUES (?,?,?) "
        "ON CONFLICT(account, key) DO UPDATE SET value = excluded.value");
    if (!put) return put.error();
    return put->bind_all(account, key, value).run();
  });
}

Status SqliteStore::hide_from_pop3(AccountId account, const std::vector<std::string>& blob_ids,
                                   int64_t now_unix) {
  return write([&](WriteTxn& txn) -> Status {
    ROOST_TRY(check_account(txn.db, account));
    // DO NOTHING: the first time a message was hidden is what retention counts from.
    auto put = txn.db.prepare(
        "INSERT INTO pop3_hidden(account, blob, hidden) VALUES (?,?,?) "
        "ON CONFLICT(account, blob) DO NOTHING");
    if (!put) return put.error();
    for (const std::string& id : blob_ids) ROOST_TRY(put->bind_all(account, id, now_unix).run());
    return ok();
  });
}

Result<std::vector<Pop3Hidden>> SqliteStore::pop3_hidden(AccountId account) {
  using Out = std::vector<Pop3Hidden>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    ROOST_TRY(check_account(db, account));
    auto stmt = db.prepare("SELECT blob, hidden FROM pop3_hidden WHERE account = ? ORDER BY blob");
    if (!stmt) return stmt.error();
    stmt->bind(1, account);
    Out out;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) return out;
      out.push_back({std::string(stmt->text_at(0)), stmt->int_at(1)});
    }
  });
}

Result<uint64_t> SqliteStore::prune_pop3_hidden(AccountId account) {
  uint64_t pruned = 0;
  ROOST_TRY(write([&](WriteTxn& txn) -> Status {
    pruned = 0;  // a retried batch must not count twice
    ROOST_TRY(check_account(txn.db, account));
    // messages_by_blob(blob, mailbox) answers the NOT EXISTS with one index seek per mark.
    auto del = txn.db.prepare(
        "DELETE FROM pop3_hidden WHERE account = ?1 AND NOT EXISTS ("
        "SELECT 1 FROM messages JOIN mailboxes ON mailboxes.id = messages.mailbox "
        "WHERE messages.blob = pop3_hidden.blob AND mailboxes.account = ?1)");
    if (!del) return del.error();
    ROOST_TRY(del->bind(1, account).run());
    pruned = static_cast<uint64_t>(txn.db.changes());
    return ok();
  }));
  return pruned;
}

Result<std::vector<std::optional<uint64_t>>> SqliteStore::crlf_sizes(
    const std::vector<std::string>& blob_ids) {
  using Out = std::vector<std::optional<uint64_t>>;
  return read<Out>([&](Connection& db) -> Result<Out> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto stmt = db.prepare("SELECT crlf_size FROM blobs WHERE id = ?");
    if (!stmt) return stmt.error();
    Out out;
    out.reserve(blob_ids.size());
    for (const std::string& id : blob_ids) {
      stmt->bind(1, id);
      auto row = stmt->step();
      if (!row) return row.error();
      if (*row && !stmt->is_null(0)) {
        out.emplace_back(static_cast<uint64_t>(stmt->int_at(0)));
      } else {
        out.emplace_back();
      }
      stmt->reset();
    }
    return out;
  });
}

Status SqliteStore::set_crlf_sizes(const std::vector<std::pair<std::string, uint64_t>>& sizes) {
  if (sizes.empty()) return ok();
  return write([&](WriteTxn& txn) -> Status {
    auto put = txn.db.prepare("UPDATE blobs SET crlf_size = ? WHERE id = ?");
    if (!put) return put.error();
    for (const auto& [id, size] : sizes) ROOST_TRY(put->bind_all(size, id).run());
    return ok();
  });
}

}  // namespace roost::store::sqlite
