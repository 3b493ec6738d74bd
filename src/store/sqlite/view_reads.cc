// The two reads a session's view of a mailbox is built from: mailbox_summary() at SELECT (no scan
// of the messages: the mailbox row and two partial indexes of schema v5) and flag_table() when the
// session first needs sequence numbers (one scan of the narrow messages_state index into columns).
#include <string>
#include <unordered_map>

#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace roost::store::sqlite {
namespace {

// The keyword sets in use, one index probe per distinct set (a loose scan of messages_keywords:
// each step seeks past the set it found), then split and merged into sorted, unique keywords.
Result<std::vector<std::string>> keywords_in_use(Connection& db, MailboxId mailbox) {
  auto stmt = db.prepare(
      "SELECT keywords FROM messages INDEXED BY messages_keywords "
      "WHERE mailbox = ? AND keywords <> '' AND keywords > ? ORDER BY keywords LIMIT 1");
  if (!stmt) return stmt.error();
  std::vector<std::string> out;
  std::vector<std::string> split;
  std::string after;
  for (;;) {
    stmt->bind_all(mailbox, after);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    after = std::string(stmt->text_at(0));
    stmt->reset();
    split_keywords(after, split);
    out.insert(out.end(), split.begin(), split.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<int64_t> count_uids(Connection& db, const char* sql, MailboxId mailbox, Uid uid) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  stmt->bind_all(mailbox, uid);
  ROOST_TRY(stmt->expect_row("count"));
  return stmt->int_at(0);
}

// Sequence number of the first message without \Seen: its UID from messages_unseen, then a count
// from whichever end of the mailbox the UID is nearer (an estimate by UID; the count is exact).
Result<std::optional<uint32_t>> first_unseen_seq(Connection& db, const MailboxInfo& mb) {
  auto first = db.prepare(
      "SELECT uid FROM messages INDEXED BY messages_unseen "
      "WHERE mailbox = ? AND flags & 1 = 0 ORDER BY uid LIMIT 1");
  if (!first) return first.error();
  first->bind(1, mb.id);
  auto row = first->step();
  if (!row) return row.error();
  if (!*row) return std::optional<uint32_t>();
  Uid uid = static_cast<Uid>(first->int_at(0));
  first->reset();
  if (uid <= mb.uidnext / 2) {
    auto before = count_uids(db,
                             "SELECT count(*) FROM messages INDEXED BY messages_state "
                             "WHERE mailbox = ? AND uid < ?",
                             mb.id, uid);
    if (!before) return before.error();
    return std::optional<uint32_t>(static_cast<uint32_t>(*before) + 1);
  }
  auto from = count_uids(db,
                         "SELECT count(*) FROM messages INDEXED BY messages_state "
                         "WHERE mailbox = ? AND uid >= ?",
                         mb.id, uid);
  if (!from) return from.error();
  return std::optional<uint32_t>(static_cast<uint32_t>(mb.messages - *from + 1));
}

}  // namespace

Result<MailboxSummary> SqliteStore::mailbox_summary(MailboxId mailbox, bool first_unseen) {
  return read<MailboxSummary>([&](Connection& db) -> Result<MailboxSummary> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    MailboxSummary out;
    auto mb = load_mailbox(db, mailbox);
    if (!mb) return mb.error();
    out.info = std::move(*mb);
    auto keywords = keywords_in_use(db, mailbox);
    if (!keywords) return keywords.error();
    out.keywords = std::move(*keywords);
    if (first_unseen && out.info.unseen > 0) {
      auto seq = first_unseen_seq(db, out.info);
      if (!seq) return seq.error();
      out.first_unseen = *seq;
    }
    return out;
  });
}

Result<FlagTable> SqliteStore::flag_table(MailboxId mailbox, ModSeq since) {
  return read<FlagTable>([&](Connection& db) -> Result<FlagTable> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto mb = load_mailbox(db, mailbox);
    if (!mb) return mb.error();
    FlagTable out;
    out.highest_modseq = mb->highest_modseq;
    out.uids.reserve(mb->messages);
    out.system.reserve(mb->messages);
    out.keyword_set.reserve(mb->messages);
    auto stmt = db.prepare(
        "SELECT uid, flags, keywords FROM messages INDEXED BY messages_state "
        "WHERE mailbox = ? ORDER BY uid");
    if (!stmt) return stmt.error();
    stmt->bind(1, mailbox);
    std::unordered_map<std::string, uint32_t> sets;  // stored text -> index in keyword_sets
    std::string last_text;
    uint32_t last_set = 0;
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      out.uids.push_back(static_cast<Uid>(stmt->int_at(0)));
      out.system.push_back(static_cast<uint32_t>(stmt->int_at(1)));
      std::string_view text = stmt->text_at(2);
      uint32_t set = 0;
      if (!text.empty()) {
        if (text != last_text) {
          last_text = std::string(text);
          auto [it, added] =
              sets.try_emplace(last_text, static_cast<uint32_t>(out.keyword_sets.size()));
          if (added) split_keywords(text, out.keyword_sets.emplace_back());
          last_set = it->second;
        }
        set = last_set;
      }
      out.keyword_set.push_back(set);
    }
    // The few changed since the caller's MODSEQ, by their own index rather than per row above.
    auto changed = db.prepare(
        "SELECT uid, modseq FROM messages INDEXED BY messages_by_modseq "
        "WHERE mailbox = ? AND modseq > ? ORDER BY uid");
    if (!changed) return changed.error();
    changed->bind_all(mailbox, since);
    for (;;) {
      auto row = changed->step();
      if (!row) return row.error();
      if (!*row) break;
      out.changed.emplace_back(static_cast<Uid>(changed->int_at(0)),
                               static_cast<ModSeq>(changed->int_at(1)));
    }
    auto tombs = tombstones_since(db, mailbox, since);
    if (!tombs) return tombs.error();
    out.expunged = std::move(*tombs);
    return out;
  });
}

}  // namespace roost::store::sqlite
