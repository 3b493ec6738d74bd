// The two reads a session's view of a mailbox is built from: mailbox_summary() at SELECT (no scan
// of the messages: the mailbox row and two partial indexes of schema v5) and flag_table() when the
// session first needs sequence numbers (one scan of the narrow messages_state index into columns;
// a big mailbox's UID ranges on several threads).
#include <algorithm>
#include <future>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/log.h"
#include "store/sqlite/flag_snapshot.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
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

constexpr Uid kLastUid = 0xffffffff;

// Appends the rows of UIDs [first, last] (one range scan of the narrow messages_state index).
Status read_flag_rows(Connection& db, MailboxId mailbox, Uid first, Uid last, size_t expected,
                      FlagRows& out) {
  auto stmt = db.prepare(
      "SELECT uid, flags, keywords FROM messages INDEXED BY messages_state "
      "WHERE mailbox = ? AND uid BETWEEN ? AND ? ORDER BY uid");
  if (!stmt) return stmt.error();
  stmt->bind_all(mailbox, first, last);
  out.uids.reserve(out.uids.size() + expected);
  out.system.reserve(out.system.size() + expected);
  out.keyword_set.reserve(out.keyword_set.size() + expected);
  std::unordered_map<std::string, uint32_t> sets;  // stored text -> index in set_texts
  uint32_t last_set = 0;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    out.uids.push_back(static_cast<Uid>(stmt->int_at(0)));
    out.system.push_back(static_cast<uint32_t>(stmt->int_at(1)));
    uint32_t set = 0;
    if (stmt->bytes_at(2) != 0) {  // most messages have no keywords: one call, not two
      std::string_view text = stmt->text_at(2);
      if (text != out.set_texts[last_set]) last_set = out.intern(text, sets);
      set = last_set;
    }
    out.keyword_set.push_back(set);
  }
  return ok();
}

// Appends rows of higher UIDs read separately, mapping their keyword sets onto `to`'s.
void append_rows(FlagRows& to, FlagRows&& from) {
  std::vector<uint32_t> index(from.set_texts.size(), 0);
  if (from.set_texts.size() > 1) {
    std::unordered_map<std::string, uint32_t> sets;
    for (uint32_t i = 1; i < from.set_texts.size(); ++i) index[i] = to.intern(from.set_texts[i], sets);
    for (uint32_t& set : from.keyword_set) set = index[set];
  }
  to.uids.insert(to.uids.end(), from.uids.begin(), from.uids.end());
  to.system.insert(to.system.end(), from.system.begin(), from.system.end());
  to.keyword_set.insert(to.keyword_set.end(), from.keyword_set.begin(), from.keyword_set.end());
}

// UIDs [first, last] of flag_table(), read on a connection of its own; nullopt when none is
// free (the caller holds one: waiting could wait on it), the read fails, or the mailbox's
// HIGHESTMODSEQ is not the caller's (a write came between the two snapshots). The caller then
// reads the range in its own snapshot, so the table is always one snapshot's: every change to a
// mailbox's messages takes a new MODSEQ.
std::optional<FlagRows> rows_in_other_snapshot(ReadPool& readers, MailboxId mailbox, ModSeq modseq,
                                               Uid first, Uid last, size_t expected) {
  auto lease = readers.try_acquire();
  if (!lease) return std::nullopt;
  MappedRead mapped(**lease);  // tens of thousands of rows
  ReadTransaction snapshot(**lease);
  if (!snapshot.status()) return std::nullopt;
  auto mb = load_mailbox(**lease, mailbox);
  if (!mb || mb->highest_modseq != modseq) return std::nullopt;
  FlagRows rows;
  if (!read_flag_rows(**lease, mailbox, first, last, expected, rows)) return std::nullopt;
  return rows;
}

Result<Uid> lowest_uid(Connection& db, MailboxId mailbox) {
  auto stmt = db.prepare(
      "SELECT uid FROM messages INDEXED BY messages_state WHERE mailbox = ? ORDER BY uid LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, mailbox);
  auto row = stmt->step();
  if (!row) return row.error();
  return *row ? static_cast<Uid>(stmt->int_at(0)) : Uid{1};
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

Status SqliteStore::scan_flag_rows(Connection& db, const MailboxInfo& mb, FlagRows& rows) {
  // A big mailbox is read as several UID ranges, all but the first on threads and connections
  // of their own. Two ranges halved the scan of 200,000 cached messages (23 ms -> 12 ms on two
  // cores); more than two pay off when the pages are not cached: the index of a mailbox that
  // grew over time is spread through the file, and a scan waits for one scattered read after
  // another, so eight scans keep eight reads in flight.
  size_t parts = 1;
  if (mb.messages >= kSplitScanMin && std::thread::hardware_concurrency() > 1) {
    parts = std::clamp<size_t>(mb.messages / kRowsPerScan, 2, kMaxScans);
  }
  std::vector<Uid> bounds{0};  // range i starts at bounds[i]
  auto last_of = [&bounds](size_t i) {  // the last UID of range i; the last range is open
    return i + 1 < bounds.size() ? bounds[i + 1] - 1 : kLastUid;
  };
  std::vector<std::future<std::optional<FlagRows>>> others;
  if (parts > 1) {
    auto lowest = lowest_uid(db, mb.id);
    if (!lowest) return lowest.error();
    Uid step = std::max<Uid>(1, (mb.uidnext - *lowest) / parts);
    for (size_t i = 1; i < parts && *lowest + i * step < mb.uidnext; ++i) {
      bounds.push_back(*lowest + static_cast<Uid>(i) * step);
    }
    size_t expected = mb.messages / (bounds.size());
    for (size_t i = 1; i < bounds.size(); ++i) {
      Uid first = bounds[i];
      Uid last = last_of(i);
      try {
        others.push_back(std::async(std::launch::async, [this, mailbox = mb.id, first, last,
                                                         expected, modseq = mb.highest_modseq] {
          return rows_in_other_snapshot(readers_, mailbox, modseq, first, last, expected);
        }));
      } catch (const std::system_error&) {
        others.emplace_back();  // no thread to be had: this one reads the range
      }
    }
  }
  Status st = read_flag_rows(db, mb.id, 0, last_of(0), mb.messages, rows);
  for (size_t i = 1; i < bounds.size(); ++i) {
    // Every future is waited for, whatever happened to the ranges before it.
    std::optional<FlagRows> part = others[i - 1].valid() ? others[i - 1].get() : std::nullopt;
    if (!st) continue;
    if (part) {
      append_rows(rows, std::move(*part));
    } else {
      st = read_flag_rows(db, mb.id, bounds[i], last_of(i), 0, rows);
    }
  }
  return st;
}

Result<std::optional<FlagRows>> SqliteStore::snapshot_flag_rows(Connection& db,
                                                                const MailboxInfo& mb) {
  using Out = std::optional<FlagRows>;
  std::string path = flag_snapshot_path(data_dir_, mb.id);
  auto snap = read_flag_snapshot(env_, path, {mb.id, mb.uidvalidity});
  if (!snap || snap->modseq > mb.highest_modseq) return Out();
  // More changes than this and the full read is as cheap (each changed row is a lookup).
  const size_t most = std::max<size_t>(kSnapshotRewrite, mb.messages / 16);
  std::vector<ChangedRow> changed;
  std::vector<Uid> expunged;
  if (snap->modseq < mb.highest_modseq) {
    auto stmt = db.prepare(
        "SELECT uid, flags, keywords FROM messages INDEXED BY messages_by_modseq "
        "WHERE mailbox = ? AND modseq > ? ORDER BY uid LIMIT ?");
    if (!stmt) return stmt.error();
    stmt->bind_all(mb.id, snap->modseq, static_cast<int64_t>(most + 1));
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      ChangedRow& c = changed.emplace_back();
      c.uid = static_cast<Uid>(stmt->int_at(0));
      c.system = static_cast<uint32_t>(stmt->int_at(1));
      c.keywords = stmt->text_at(2);
    }
    auto tombs = tombstones_since(db, mb.id, snap->modseq);
    if (!tombs) return tombs.error();
    expunged = std::move(*tombs);
    if (changed.size() + expunged.size() > most) return Out();
  }
  size_t delta = changed.size() + expunged.size();
  auto rows = apply_changes(std::move(snap->rows), changed, expunged, mb.messages);
  if (rows && delta >= kSnapshotRewrite) save_flag_snapshot(mb, *rows);
  return rows;
}

void SqliteStore::save_flag_snapshot(const MailboxInfo& mb, const FlagRows& rows) {
  std::string path = flag_snapshot_path(data_dir_, mb.id);
  if (auto saved = write_flag_snapshot(env_, path, {mb.id, mb.uidvalidity}, mb.highest_modseq,
                                       rows);
      !saved) {
    log::warn("store.flag_snapshot", {{"mailbox", std::to_string(mb.id)},
                                      {"error", saved.error().describe()}});
  }
}

Result<FlagTable> SqliteStore::flag_table(MailboxId mailbox, ModSeq since) {
  return read<FlagTable>([&](Connection& db) -> Result<FlagTable> {
    ReadTransaction snapshot(db);
    ROOST_TRY(snapshot.status());
    auto mb = load_mailbox(db, mailbox);
    if (!mb) return mb.error();
    const bool big = flag_snapshot_min_ != 0 && mb->messages >= flag_snapshot_min_;
    std::optional<FlagRows> rows;
    if (big) {
      auto cached = snapshot_flag_rows(db, *mb);
      if (!cached) return cached.error();
      rows = std::move(*cached);
    }
    if (!rows) {
      rows.emplace();
      ROOST_TRY(scan_flag_rows(db, *mb, *rows));
      if (big) save_flag_snapshot(*mb, *rows);
    }
    FlagTable out;
    out.highest_modseq = mb->highest_modseq;
    out.uids = std::move(rows->uids);
    out.system = std::move(rows->system);
    out.keyword_set = std::move(rows->keyword_set);
    out.keyword_sets.resize(rows->set_texts.size());
    for (size_t i = 1; i < rows->set_texts.size(); ++i) {
      split_keywords(rows->set_texts[i], out.keyword_sets[i]);
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
