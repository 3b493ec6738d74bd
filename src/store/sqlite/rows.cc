#include "store/sqlite/rows.h"

namespace roost::store::sqlite {

MailboxInfo mailbox_at(const Statement& row) {
  MailboxInfo m;
  m.id = row.int_at(0);
  m.account = row.int_at(1);
  m.name = std::string(row.text_at(2));
  m.role = static_cast<SpecialUse>(row.int_at(3));
  m.subscribed = row.int_at(4) != 0;
  m.uidvalidity = static_cast<uint32_t>(row.int_at(5));
  m.uidnext = static_cast<Uid>(row.int_at(6));
  m.highest_modseq = static_cast<ModSeq>(row.int_at(7));
  m.messages = static_cast<uint32_t>(row.int_at(8));
  m.unseen = static_cast<uint32_t>(row.int_at(9));
  m.deleted = static_cast<uint32_t>(row.int_at(10));
  m.bytes = static_cast<uint64_t>(row.int_at(11));
  return m;
}

Account account_at(const Statement& row) {
  Account a;
  a.id = row.int_at(0);
  a.name = std::string(row.text_at(1));
  a.password_hash = std::string(row.text_at(2));
  a.created_unix = row.int_at(3);
  a.scram_credentials = std::string(row.text_at(4));
  return a;
}

MessageEntry entry_at(const Statement& row) {
  MessageEntry e;
  e.uid = static_cast<Uid>(row.int_at(0));
  e.modseq = static_cast<ModSeq>(row.int_at(1));
  e.blob.id = std::string(row.text_at(2));
  e.blob.size = static_cast<uint64_t>(row.int_at(3));
  e.flags.system = static_cast<uint32_t>(row.int_at(4));
  split_keywords(row.text_at(5), e.flags.keywords);
  e.internal_date = row.int_at(6);
  e.internal_date_tz = static_cast<int32_t>(row.int_at(7));
  e.save_date = row.int_at(8);
  e.sent_date = row.is_null(9) ? -1 : row.int_at(9);
  return e;
}

Result<std::vector<Uid>> tombstones_since(Connection& db, MailboxId mailbox, ModSeq since) {
  auto tombs = db.prepare(
      "SELECT uid FROM tombstones INDEXED BY tombstones_by_modseq "
      "WHERE mailbox = ? AND modseq > ? ORDER BY uid");
  if (!tombs) return tombs.error();
  tombs->bind_all(mailbox, since);
  std::vector<Uid> out;
  for (;;) {
    auto row = tombs->step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back(static_cast<Uid>(tombs->int_at(0)));
  }
}

Result<MailboxInfo> load_mailbox(Connection& db, MailboxId id) {
  auto stmt = db.prepare("SELECT " ROOST_MAILBOX_COLUMNS " FROM mailboxes WHERE id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  ROOST_TRY(stmt->expect_row("mailbox"));
  return mailbox_at(*stmt);
}

Result<Account> load_account(Connection& db, AccountId id) {
  auto stmt = db.prepare("SELECT " ROOST_ACCOUNT_COLUMNS " FROM accounts WHERE id = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  ROOST_TRY(stmt->expect_row("account"));
  return account_at(*stmt);
}

std::string join_keywords(const std::vector<std::string>& keywords) {
  std::string out;
  for (const auto& k : keywords) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

void split_keywords(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  while (!text.empty()) {
    size_t sp = text.find(' ');
    out.emplace_back(text.substr(0, sp));
    if (sp == std::string_view::npos) break;
    text.remove_prefix(sp + 1);
  }
}

Status check_keywords(const std::vector<std::string>& keywords) {
  for (const auto& k : keywords) {
    bool good = !k.empty() && k.size() <= 256;
    for (char c : k) {
      auto u = static_cast<unsigned char>(c);
      // RFC 9051 atom-specials, plus '\' (system flags are not keywords).
      if (u <= 0x20 || u >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
          c == '"' || c == '\\' || c == ']') {
        good = false;
      }
    }
    if (!good) return make_error(ErrorKind::Syntax, "invalid keyword", k);
  }
  return ok();
}

}  // namespace roost::store::sqlite
