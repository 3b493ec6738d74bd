// Account and mailbox mutations (the hierarchy rules live here and in mailbox_name.h).
#include <algorithm>
#include <cctype>

#include "store/mailbox_name.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/writes.h"

namespace roost::store::sqlite {
namespace {

// Unique per mailbox creation: the current time, or one more than the last value handed
// out when the clock has not moved on (RFC 9051 §2.3.1.1: never reuse with other UIDs).
Result<uint32_t> next_uidvalidity(Connection& db, int64_t now) {
  auto get = db.prepare("SELECT value FROM meta WHERE key = 'last_uidvalidity'");
  if (!get) return get.error();
  ROOST_TRY(get->expect_row("uidvalidity counter"));
  int64_t last = get->int_at(0);
  int64_t next = std::max<int64_t>(now, last + 1);
  if (next > 0xffffffffLL) next = last + 1 > 0xffffffffLL ? 1 : last + 1;
  auto put = db.prepare("UPDATE meta SET value = ? WHERE key = 'last_uidvalidity'");
  if (!put) return put.error();
  ROOST_TRY(put->bind(1, next).run());
  return static_cast<uint32_t>(next);
}

Result<bool> mailbox_exists(Connection& db, AccountId account, std::string_view name) {
  auto stmt = db.prepare("SELECT 1 FROM mailboxes WHERE account = ? AND name = ?");
  if (!stmt) return stmt.error();
  stmt->bind_all(account, name);
  return stmt->step();
}

Status insert_mailbox(WriteTxn& txn, AccountId account, std::string_view name, SpecialUse role,
                      bool subscribed, int64_t now, MailboxInfo& out) {
  auto uidvalidity = next_uidvalidity(txn.db, now);
  if (!uidvalidity) return uidvalidity.error();
  auto stmt = txn.db.prepare(
      "INSERT INTO mailboxes(account, name, role, subscribed, uidvalidity) VALUES (?,?,?,?,?) "
      "RETURNING " ROOST_MAILBOX_COLUMNS);
  if (!stmt) return stmt.error();
  stmt->bind_all(account, name, static_cast<int64_t>(role), subscribed ? 1 : 0, *uidvalidity);
  ROOST_TRY(stmt->expect_row("new mailbox"));
  out = mailbox_at(*stmt);
  txn.effects.events.push_back({MailboxEvent::Kind::Created, account, out.id, out.highest_modseq});
  return ok();
}

// Creates each missing parent of `name` as a plain mailbox (RFC 9051 §6.3.4).
Status create_parents(WriteTxn& txn, AccountId account, std::string_view name, int64_t now) {
  for (const auto& parent : parent_names(name)) {
    auto exists = mailbox_exists(txn.db, account, parent);
    if (!exists) return exists.error();
    if (*exists) continue;
    MailboxInfo ignored;
    ROOST_TRY(insert_mailbox(txn, account, parent, SpecialUse::None, false, now, ignored));
  }
  return ok();
}

Status delete_mailbox_rows(WriteTxn& txn, const MailboxInfo& mb) {
  ROOST_TRY(release_mailbox_blobs(txn, mb.id));
  for (const char* sql :
       {"DELETE FROM messages WHERE mailbox = ?", "DELETE FROM message_headers WHERE mailbox = ?",
        "DELETE FROM tombstones WHERE mailbox = ?", "DELETE FROM mailboxes WHERE id = ?"}) {
    auto stmt = txn.db.prepare(sql);
    if (!stmt) return stmt.error();
    ROOST_TRY(stmt->bind(1, mb.id).run());
  }
  auto usage = txn.db.prepare(
      "UPDATE usage SET bytes = bytes - ?, messages = messages - ? WHERE account = ?");
  if (!usage) return usage.error();
  ROOST_TRY(usage->bind_all(mb.bytes, mb.messages, mb.account).run());
  txn.effects.events.push_back({MailboxEvent::Kind::Deleted, mb.account, mb.id, mb.highest_modseq});
  return ok();
}

Status expect_changed(Connection& db, const char* what) {
  if (db.changes() == 0) return make_error(ErrorKind::NotFound, std::string(what) + " not found");
  return ok();
}

}  // namespace

Status create_account(WriteTxn& txn, std::string_view name, std::string_view password_hash,
                      int64_t now, Account& out) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty()) return make_error(ErrorKind::Syntax, "empty account name");
  auto stmt = txn.db.prepare(
      "INSERT INTO accounts(name, password_hash, created) VALUES (?,?,?) "
      "ON CONFLICT(name) DO NOTHING RETURNING " ROOST_ACCOUNT_COLUMNS);
  if (!stmt) return stmt.error();
  stmt->bind_all(lower, password_hash, now);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorKind::Exists, "account already exists", lower);
  out = account_at(*stmt);
  auto usage = txn.db.prepare("INSERT INTO usage(account) VALUES (?)");
  if (!usage) return usage.error();
  ROOST_TRY(usage->bind(1, out.id).run());
  static constexpr std::pair<const char*, SpecialUse> kDefaults[] = {
      {"INBOX", SpecialUse::None},  {"Sent", SpecialUse::Sent}, {"Drafts", SpecialUse::Drafts},
      {"Trash", SpecialUse::Trash}, {"Junk", SpecialUse::Junk}, {"Archive", SpecialUse::Archive}};
  for (const auto& [mailbox, role] : kDefaults) {
    MailboxInfo ignored;
    ROOST_TRY(insert_mailbox(txn, out.id, mailbox, role, true, now, ignored));
  }
  return ok();
}

Status set_password_hash(WriteTxn& txn, AccountId id, std::string_view password_hash) {
  auto stmt = txn.db.prepare("UPDATE accounts SET password_hash = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  ROOST_TRY(stmt->bind_all(password_hash, id).run());
  return expect_changed(txn.db, "account");
}

Status set_scram_credentials(WriteTxn& txn, AccountId id, std::string_view credentials) {
  auto stmt = txn.db.prepare("UPDATE accounts SET scram = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  ROOST_TRY(stmt->bind_all(credentials, id).run());
  return expect_changed(txn.db, "account");
}

Status delete_account(WriteTxn& txn, AccountId id) {
  ROOST_TRY(load_account(txn.db, id));
  std::vector<MailboxInfo> mailboxes;
  {
    auto stmt = txn.db.prepare("SELECT " ROOST_MAILBOX_COLUMNS " FROM mailboxes WHERE account = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      mailboxes.push_back(mailbox_at(*stmt));
    }
  }
  for (const auto& mb : mailboxes) ROOST_TRY(delete_mailbox_rows(txn, mb));
  auto stmt = txn.db.prepare("DELETE FROM accounts WHERE id = ?");
  if (!stmt) return stmt.error();
  return stmt->bind(1, id).run();
}

Status create_mailbox(WriteTxn& txn, AccountId account, std::string_view name, SpecialUse role,
                      bool subscribed, int64_t now, MailboxInfo& out) {
  auto canonical = canonical_mailbox_name(name);
  if (!canonical) return canonical.error();
  ROOST_TRY(load_account(txn.db, account));
  auto exists = mailbox_exists(txn.db, account, *canonical);
  if (!exists) return exists.error();
  if (*exists) return make_error(ErrorKind::Exists, "mailbox already exists", *canonical);
  ROOST_TRY(create_parents(txn, account, *canonical, now));
  return insert_mailbox(txn, account, *canonical, role, subscribed, now, out);
}

Status delete_mailbox(WriteTxn& txn, MailboxId id) {
  auto mb = load_mailbox(txn.db, id);
  if (!mb) return mb.error();
  if (is_inbox(mb->name)) return make_error(ErrorKind::NoPerm, "INBOX cannot be deleted");
  return delete_mailbox_rows(txn, *mb);
}

Status rename_mailbox(WriteTxn& txn, MailboxId id, std::string_view new_name, int64_t now) {
  auto mb = load_mailbox(txn.db, id);
  if (!mb) return mb.error();
  if (is_inbox(mb->name)) return make_error(ErrorKind::NoPerm, "INBOX cannot be renamed here");
  auto target = canonical_mailbox_name(new_name);
  if (!target) return target.error();
  const std::string& old_name = mb->name;
  std::string old_prefix = old_name + "/";
  if (target->compare(0, old_prefix.size(), old_prefix) == 0) {
    return make_error(ErrorKind::NoPerm, "cannot move a mailbox into itself");
  }
  // Names are compared in C++: SQLite's substr() counts characters, not bytes.
  std::vector<std::pair<MailboxId, std::string>> all;
  {
    auto stmt = txn.db.prepare("SELECT id, name FROM mailboxes WHERE account = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, mb->account);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      all.emplace_back(stmt->int_at(0), std::string(stmt->text_at(1)));
    }
  }
  std::vector<std::pair<MailboxId, std::string>> renames;  // id, new name
  for (const auto& [mid, name] : all) {
    if (name == old_name) {
      renames.emplace_back(mid, *target);
    } else if (name.compare(0, old_prefix.size(), old_prefix) == 0) {
      renames.emplace_back(mid, *target + name.substr(old_name.size()));
    }
  }
  for (const auto& [mid, name] : renames) {
    bool taken =
        std::any_of(all.begin(), all.end(), [&](const auto& m) { return m.second == name; });
    if (taken) return make_error(ErrorKind::Exists, "mailbox already exists", name);
  }
  auto stmt = txn.db.prepare("UPDATE mailboxes SET name = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  for (const auto& [mid, name] : renames) {
    ROOST_TRY(stmt->bind_all(name, mid).run());
    txn.effects.events.push_back({MailboxEvent::Kind::Renamed, mb->account, mid, 0});
  }
  return create_parents(txn, mb->account, *target, now);
}

Status set_subscribed(WriteTxn& txn, MailboxId id, bool subscribed) {
  auto stmt = txn.db.prepare("UPDATE mailboxes SET subscribed = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  ROOST_TRY(stmt->bind_all(subscribed ? 1 : 0, id).run());
  return expect_changed(txn.db, "mailbox");
}

Status set_role(WriteTxn& txn, MailboxId id, SpecialUse role) {
  auto stmt = txn.db.prepare("UPDATE mailboxes SET role = ? WHERE id = ?");
  if (!stmt) return stmt.error();
  ROOST_TRY(stmt->bind_all(static_cast<int64_t>(role), id).run());
  return expect_changed(txn.db, "mailbox");
}

}  // namespace roost::store::sqlite
