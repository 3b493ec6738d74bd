// SqliteStore::repair(): makes the index and the blob tree agree again after a crash.
// Blobs are durable before the index commits (small ones inside it), so a crash leaves at worst
// temp files and unreferenced blob files; missing blob files mean outside damage and are only
// reported.
#include <unordered_set>

#include "base/log.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace roost::store::sqlite {
namespace {

struct RepairReport {
  size_t temp_files = 0;
  size_t orphan_files = 0;
  size_t stray_files = 0;
  int64_t orphan_entries = 0;
  int64_t refcounts_fixed = 0;
  int64_t blob_rows_dropped = 0;
  int64_t mailboxes_fixed = 0;
  int64_t usage_fixed = 0;
  size_t missing_blobs = 0;
  int64_t entries_missing_blob = 0;

  bool clean() const {
    return temp_files + orphan_files + stray_files + missing_blobs == 0 &&
           orphan_entries + refcounts_fixed + blob_rows_dropped + mailboxes_fixed + usage_fixed ==
               0;
  }
  std::string summary() const {
    std::string s = "repair: removed " + std::to_string(temp_files) + " temp files, " +
                    std::to_string(orphan_files) + " unreferenced blob files, " +
                    std::to_string(orphan_entries) + " entries of missing mailboxes; fixed " +
                    std::to_string(refcounts_fixed) + " blob refcounts (" +
                    std::to_string(blob_rows_dropped) + " dropped), " +
                    std::to_string(mailboxes_fixed) + " mailbox counters, " +
                    std::to_string(usage_fixed) + " usage rows";
    if (stray_files != 0) s += "; " + std::to_string(stray_files) + " stray files left in blobs/";
    if (missing_blobs != 0) {
      s += "; " + std::string(to_string(ErrorKind::Corrupt)) + ": " +
           std::to_string(missing_blobs) + " blob files missing, referenced by " +
           std::to_string(entries_missing_blob) + " entries";
    }
    return s;
  }
};

// Runs one statement and returns how many rows it changed.
Result<int64_t> run_counted(Connection& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  ROOST_TRY(stmt->run());
  return db.changes();
}

Status fix_index(Connection& db, RepairReport& report) {
  auto n = run_counted(db, "DELETE FROM messages WHERE mailbox NOT IN (SELECT id FROM mailboxes)");
  if (!n) return n.error();
  report.orphan_entries = *n;
  ROOST_TRY(
      run_counted(db, "DELETE FROM tombstones WHERE mailbox NOT IN (SELECT id FROM mailboxes)"));
  // Entries whose blob row vanished get one back (without parsed data) so refcounts hold.
  ROOST_TRY(run_counted(db,
                        "INSERT OR IGNORE INTO blobs(id, size, refcount, parsed) "
                        "SELECT blob, max(size), 0, x'' FROM messages GROUP BY blob"));
  n = run_counted(
      db,
      "UPDATE blobs SET refcount = (SELECT count(*) FROM messages WHERE blob = blobs.id) "
      "WHERE refcount != (SELECT count(*) FROM messages WHERE blob = blobs.id)");
  if (!n) return n.error();
  report.refcounts_fixed = *n;
  n = run_counted(db, "DELETE FROM blobs WHERE refcount <= 0");
  if (!n) return n.error();
  report.blob_rows_dropped = *n;
  ROOST_TRY(run_counted(db, "DELETE FROM inline_blobs WHERE id NOT IN (SELECT id FROM blobs)"));
  n = run_counted(
      db,
      "UPDATE mailboxes SET messages = s.n, unseen = s.unseen, deleted = s.del, "
      "bytes = s.bytes, uidnext = max(uidnext, s.maxuid + 1), "
      "highestmodseq = max(highestmodseq, s.maxmodseq) "
      "FROM (SELECT m.id AS id, count(e.uid) AS n, "
      "  coalesce(sum((e.flags & 1) = 0), 0) AS unseen, "
      "  coalesce(sum((e.flags & 8) != 0), 0) AS del, coalesce(sum(e.size), 0) AS bytes, "
      "  coalesce(max(e.uid), 0) AS maxuid, coalesce(max(e.modseq), 0) AS maxmodseq "
      "  FROM mailboxes m LEFT JOIN messages e ON e.mailbox = m.id GROUP BY m.id) AS s "
      "WHERE mailboxes.id = s.id AND (mailboxes.messages != s.n OR "
      "  mailboxes.unseen != s.unseen OR mailboxes.deleted != s.del OR "
      "  mailboxes.bytes != s.bytes OR mailboxes.uidnext <= s.maxuid OR "
      "  mailboxes.highestmodseq < s.maxmodseq)");
  if (!n) return n.error();
  report.mailboxes_fixed = *n;
  ROOST_TRY(run_counted(db, "INSERT OR IGNORE INTO usage(account) SELECT id FROM accounts"));
  n = run_counted(
      db,
      "UPDATE usage SET bytes = s.bytes, messages = s.n "
      "FROM (SELECT a.id AS id, coalesce(sum(m.bytes), 0) AS bytes, "
      "  coalesce(sum(m.messages), 0) AS n "
      "  FROM accounts a LEFT JOIN mailboxes m ON m.account = a.id GROUP BY a.id) AS s "
      "WHERE usage.account = s.id AND (usage.bytes != s.bytes OR usage.messages != s.n)");
  if (!n) return n.error();
  report.usage_fixed = *n;
  return ok();
}

}  // namespace

Result<std::string> SqliteStore::repair() {
  RepairReport report;
  ROOST_TRY(write([&](WriteTxn& txn) -> Status {
    report = {};
    auto temps = blobs_.clean_tmp();
    if (!temps) return temps.error();
    report.temp_files = *temps;
    ROOST_TRY(fix_index(txn.db, report));

    std::vector<std::string> strays;
    auto files = blobs_.list_ids(&strays);
    if (!files) return files.error();
    report.stray_files = strays.size();
    std::unordered_set<std::string> on_disk(files->begin(), files->end());
    std::unordered_set<std::string> indexed;
    auto stmt = txn.db.prepare(
        "SELECT id, refcount, id IN (SELECT id FROM inline_blobs) FROM blobs");
    if (!stmt) return stmt.error();
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      std::string id(stmt->text_at(0));
      if (on_disk.count(id) == 0 && stmt->int_at(2) == 0) {
        ++report.missing_blobs;
        report.entries_missing_blob += stmt->int_at(1);
      }
      indexed.insert(std::move(id));
    }
    // No row references these; a pinned one belongs to an append still in flight.
    for (const std::string& id : *files) {
      if (indexed.count(id) != 0) continue;
      if (blobs_.remove_if_unused(id, [] { return true; })) ++report.orphan_files;
    }
    // Flag snapshots are a cache of the index: after a crash they are read again from it.
    std::string views = data_dir_ + "/views";
    if (auto names = env_.list_dir(views)) {
      for (const std::string& name : *names) (void)env_.remove(views + "/" + name);
    }
    return ok();
  }));
  std::string summary = report.summary();
  if (report.missing_blobs != 0) {
    log::error("store.repair", {{"summary", summary}});
  } else if (!report.clean()) {
    log::warn("store.repair", {{"summary", summary}});
  }
  return summary;
}

}  // namespace roost::store::sqlite
