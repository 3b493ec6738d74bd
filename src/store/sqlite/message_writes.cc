// Message mutations: append, flags, copy/move, expunge. Each takes one fresh MODSEQ
// of the mailbox (RFC 7162 §3.1) and keeps the mailbox counters and usage in step.
#include <algorithm>
#include <cctype>
#include <map>

#include "store/sqlite/file_blob_store.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/writes.h"

namespace roost::store::sqlite {
namespace {

// Changes to a mailbox's cached counters, applied in one UPDATE.
struct CounterDelta {
  int64_t messages = 0;
  int64_t unseen = 0;
  int64_t deleted = 0;
  int64_t bytes = 0;

  void add(uint32_t flags, uint64_t size, int sign) {
    messages += sign;
    if ((flags & kSeen) == 0) unseen += sign;
    if ((flags & kDeleted) != 0) deleted += sign;
    bytes += sign * static_cast<int64_t>(size);
  }
};

Status update_mailbox(WriteTxn& txn, const MailboxInfo& mb, Uid uidnext, ModSeq modseq,
                      const CounterDelta& d) {
  auto stmt = txn.db.prepare(
      "UPDATE mailboxes SET uidnext = ?, highestmodseq = ?, messages = messages + ?, "
      "unseen = unseen + ?, deleted = deleted + ?, bytes = bytes + ? WHERE id = ?");
  if (!stmt) return stmt.error();
  stmt->bind_all(uidnext, modseq, d.messages, d.unseen, d.deleted, d.bytes, mb.id);
  ROOST_TRY(stmt->run());
  if (d.messages != 0 || d.bytes != 0) {
    auto usage = txn.db.prepare(
        "UPDATE usage SET bytes = bytes + ?, messages = messages + ? WHERE account = ?");
    if (!usage) return usage.error();
    ROOST_TRY(usage->bind_all(d.bytes, d.messages, mb.account).run());
  }
  txn.effects.events.push_back({MailboxEvent::Kind::Changed, mb.account, mb.id, modseq});
  return ok();
}

// `bytes`: a small blob's content (FileBlobStore::staged), kept in the index when the blob is
// new; null for a blob in a file.
Status add_blob_ref(WriteTxn& txn, const BlobRef& blob, std::string_view parsed,
                    const std::string* bytes) {
  auto stmt = txn.db.prepare(
      "INSERT INTO blobs(id, size, refcount, parsed) VALUES (?,?,1,?) "
      "ON CONFLICT(id) DO UPDATE SET refcount = refcount + 1 RETURNING refcount");
  if (!stmt) return stmt.error();
  stmt->bind_all(blob.id, blob.size).bind_blob(3, parsed);
  auto row = stmt->step();
  if (!row) return row.error();
  bool added = *row && stmt->int_at(0) == 1;
  stmt->reset();
  if (!added || bytes == nullptr) return ok();
  auto keep = txn.db.prepare("INSERT OR REPLACE INTO inline_blobs(id, bytes) VALUES (?,?)");
  if (!keep) return keep.error();
  keep->bind(1, blob.id).bind_blob(2, *bytes);
  return keep->run();
}

Status insert_header(WriteTxn& txn, MailboxId mailbox, Uid uid, std::string_view header) {
  auto stmt = txn.db.prepare("INSERT INTO message_headers(mailbox, uid, header) VALUES (?,?,?)");
  if (!stmt) return stmt.error();
  stmt->bind_all(mailbox, uid).bind_blob(3, header);
  return stmt->run();
}

// COPY/MOVE: the destination entry keeps the source's header, when one was kept.
Status copy_header(WriteTxn& txn, MailboxId from, Uid from_uid, MailboxId to, Uid to_uid) {
  auto stmt = txn.db.prepare(
      "INSERT INTO message_headers(mailbox, uid, header) SELECT ?, ?, header "
      "FROM message_headers WHERE mailbox = ? AND uid = ?");
  if (!stmt) return stmt.error();
  return stmt->bind_all(to, to_uid, from, from_uid).run();
}

// Drops `count` references; at zero the row (and the bytes of a small blob) go and the file is
// freed after commit.
Status drop_blob_refs(WriteTxn& txn, const std::string& id, int64_t count) {
  auto stmt =
      txn.db.prepare("UPDATE blobs SET refcount = refcount - ? WHERE id = ? RETURNING refcount");
  if (!stmt) return stmt.error();
  stmt->bind_all(count, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return ok();  // already gone: repair() will report it
  int64_t left = stmt->int_at(0);
  stmt->reset();
  if (left > 0) return ok();
  auto del = txn.db.prepare("DELETE FROM blobs WHERE id = ?");
  if (!del) return del.error();
  ROOST_TRY(del->bind(1, id).run());
  auto del_bytes = txn.db.prepare("DELETE FROM inline_blobs WHERE id = ?");
  if (!del_bytes) return del_bytes.error();
  ROOST_TRY(del_bytes->bind(1, id).run());
  txn.effects.freed_blobs.push_back(id);
  return ok();
}

Status insert_entry(WriteTxn& txn, MailboxId mailbox, Uid uid, ModSeq modseq, const BlobRef& blob,
                    uint32_t flags, std::string_view keywords, int64_t internal_date, int64_t tz,
                    int64_t save_date, int64_t sent_date) {
  auto stmt = txn.db.prepare(
      "INSERT INTO messages(mailbox, uid, modseq, blob, size, flags, keywords, internal_date, "
      "tz, save_date, sent_date) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  if (!stmt) return stmt.error();
  stmt->bind_all(mailbox, uid, modseq, blob.id, blob.size, flags, keywords, internal_date, tz,
                 save_date);
  if (sent_date == -1) {
    stmt->bind_null(11);  // NULL: no valid Date header (RFC 5256 §2.2: SORT uses INTERNALDATE)
  } else {
    stmt->bind(11, sent_date);
  }
  return stmt->run();
}

// The rows of `uids` in ascending UID order, one range query per UID range.
template <class F>
Status for_each_entry(Connection& db, MailboxId mailbox, const UidSet& uids, F&& f) {
  auto stmt = db.prepare("SELECT " ROOST_ENTRY_COLUMNS
                         " FROM messages WHERE mailbox = ? AND uid BETWEEN ? AND ? ORDER BY uid");
  if (!stmt) return stmt.error();
  for (const UidRange& r : uids) {
    stmt->bind_all(mailbox, r.first, r.last);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      f(entry_at(*stmt));
    }
    stmt->reset();
  }
  return ok();
}

Status expunge_entries(WriteTxn& txn, const MailboxInfo& mb,
                       const std::vector<MessageEntry>& entries, ExpungeResult& out) {
  out.modseq = mb.highest_modseq + 1;
  CounterDelta delta;
  std::map<std::string, int64_t> refs;  // blob id -> references dropped
  auto del = txn.db.prepare("DELETE FROM messages WHERE mailbox = ? AND uid = ?");
  if (!del) return del.error();
  auto del_header = txn.db.prepare("DELETE FROM message_headers WHERE mailbox = ? AND uid = ?");
  if (!del_header) return del_header.error();
  // Tombstones feed QRESYNC VANISHED (RFC 7162 §3.2.10) and JMAP /changes.
  auto tomb =
      txn.db.prepare("INSERT OR REPLACE INTO tombstones(mailbox, uid, modseq) VALUES (?,?,?)");
  if (!tomb) return tomb.error();
  for (const MessageEntry& e : entries) {
    ROOST_TRY(del->bind_all(mb.id, e.uid).run());
    ROOST_TRY(del_header->bind_all(mb.id, e.uid).run());
    ROOST_TRY(tomb->bind_all(mb.id, e.uid, out.modseq).run());
    delta.add(e.flags.system, e.blob.size, -1);
    ++refs[e.blob.id];
    out.expunged.push_back(e.uid);
  }
  for (const auto& [id, count] : refs) ROOST_TRY(drop_blob_refs(txn, id, count));
  return update_mailbox(txn, mb, mb.uidnext, out.modseq, delta);
}

void apply(const FlagUpdate& update, Flags& flags) {
  auto same = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  switch (update.op) {
    case FlagOp::Add:
      flags.system |= update.flags.system & kKnownFlags;
      for (const auto& k : update.flags.keywords) flags.keywords.push_back(k);
      break;
    case FlagOp::Remove:
      flags.system &= ~update.flags.system;
      std::erase_if(flags.keywords, [&](const std::string& k) {
        return std::any_of(update.flags.keywords.begin(), update.flags.keywords.end(),
                           [&](const std::string& r) { return same(k, r); });
      });
      break;
    case FlagOp::Replace:
      flags.system = update.flags.system & kKnownFlags;
      flags.keywords = update.flags.keywords;
      break;
  }
  normalize(flags);
}

}  // namespace

Status append(WriteTxn& txn, MailboxId mailbox, std::vector<NewMessage>& messages,
              const std::vector<std::shared_ptr<const std::string>>& inline_bytes, int64_t now,
              AppendResult& out) {
  auto mb = load_mailbox(txn.db, mailbox);
  if (!mb) return mb.error();
  out.uidvalidity = mb->uidvalidity;
  out.messages.clear();
  if (messages.empty()) return ok();
  if (uint64_t{mb->uidnext} + messages.size() > 0xffffffffULL) {
    return make_error(ErrorKind::Limit, "mailbox is out of UIDs");
  }
  ModSeq modseq = mb->highest_modseq + 1;
  Uid uid = mb->uidnext;
  CounterDelta delta;
  for (size_t i = 0; i < messages.size(); ++i) {
    NewMessage& m = messages[i];
    if (!is_blob_id(m.blob.id)) return make_error(ErrorKind::Syntax, "bad blob id", m.blob.id);
    ROOST_TRY(check_keywords(m.flags.keywords));
    normalize(m.flags);
    uint32_t flags = m.flags.system & kKnownFlags;
    ROOST_TRY(add_blob_ref(txn, m.blob, m.parsed,
                           i < inline_bytes.size() ? inline_bytes[i].get() : nullptr));
    ROOST_TRY(insert_entry(txn, mb->id, uid, modseq, m.blob, flags, join_keywords(m.flags.keywords),
                           m.internal_date, m.internal_date_tz, now, m.sent_date));
    if (m.header) ROOST_TRY(insert_header(txn, mb->id, uid, *m.header));
    delta.add(flags, m.blob.size, +1);
    out.messages.push_back({uid, modseq});
    ++uid;
  }
  return update_mailbox(txn, *mb, uid, modseq, delta);
}

Status store_flags(WriteTxn& txn, MailboxId mailbox, const UidSet& uids, const FlagUpdate& update,
                   StoreFlagsResult& out) {
  ROOST_TRY(check_keywords(update.flags.keywords));
  auto mb = load_mailbox(txn.db, mailbox);
  if (!mb) return mb.error();
  std::vector<std::pair<uint32_t, FlagChange>> changes;  // old system flags, change
  ROOST_TRY(for_each_entry(txn.db, mailbox, uids, [&](MessageEntry e) {
    // RFC 7162 §3.1.3: a message modified after UNCHANGEDSINCE is reported, not changed.
    if (update.unchanged_since && e.modseq > *update.unchanged_since) {
      out.modified.push_back(e.uid);
      return;
    }
    Flags next = e.flags;
    apply(update, next);
    if (next == e.flags) return;  // a no-op STORE takes no MODSEQ
    changes.push_back({e.flags.system, FlagChange{e.uid, 0, std::move(next)}});
  }));
  if (changes.empty()) return ok();
  ModSeq modseq = mb->highest_modseq + 1;
  auto stmt = txn.db.prepare(
      "UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE mailbox = ? AND uid = ?");
  if (!stmt) return stmt.error();
  CounterDelta delta;
  for (auto& [old_flags, change] : changes) {
    change.modseq = modseq;
    stmt->bind_all(change.flags.system, join_keywords(change.flags.keywords), modseq, mailbox,
                   change.uid);
    ROOST_TRY(stmt->run());
    delta.add(old_flags, 0, -1);
    delta.add(change.flags.system, 0, +1);
    out.changed.push_back(std::move(change));
  }
  return update_mailbox(txn, *mb, mb->uidnext, modseq, delta);
}

Status copy(WriteTxn& txn, MailboxId from, const UidSet& uids, MailboxId to, bool move, int64_t now,
            CopyResult& out) {
  auto src = load_mailbox(txn.db, from);
  if (!src) return src.error();
  auto dst = load_mailbox(txn.db, to);
  if (!dst) return dst.error();
  out.dest_uidvalidity = dst->uidvalidity;
  out.mapping.clear();
  std::vector<MessageEntry> entries;
  ROOST_TRY(
      for_each_entry(txn.db, from, uids, [&](MessageEntry e) { entries.push_back(std::move(e)); }));
  if (entries.empty()) return ok();
  if (uint64_t{dst->uidnext} + entries.size() > 0xffffffffULL) {
    return make_error(ErrorKind::Limit, "mailbox is out of UIDs");
  }
  ModSeq modseq = dst->highest_modseq + 1;
  Uid uid = dst->uidnext;
  CounterDelta delta;
  auto ref = txn.db.prepare("UPDATE blobs SET refcount = refcount + 1 WHERE id = ?");
  if (!ref) return ref.error();
  for (const MessageEntry& e : entries) {
    ROOST_TRY(ref->bind(1, e.blob.id).run());
    ROOST_TRY(insert_entry(txn, to, uid, modseq, e.blob, e.flags.system,
                           join_keywords(e.flags.keywords), e.internal_date, e.internal_date_tz,
                           now, e.sent_date));
    ROOST_TRY(copy_header(txn, from, e.uid, to, uid));
    delta.add(e.flags.system, e.blob.size, +1);
    out.mapping.emplace_back(e.uid, uid);
    ++uid;
  }
  ROOST_TRY(update_mailbox(txn, *dst, uid, modseq, delta));
  if (!move) return ok();
  // RFC 6851: the source loses the messages in the same transaction.
  auto reloaded = load_mailbox(txn.db, from);
  if (!reloaded) return reloaded.error();
  ExpungeResult ignored;
  return expunge_entries(txn, *reloaded, entries, ignored);
}

Status expunge(WriteTxn& txn, MailboxId mailbox, const UidSet& uids, ExpungeResult& out) {
  auto mb = load_mailbox(txn.db, mailbox);
  if (!mb) return mb.error();
  std::vector<MessageEntry> entries;
  ROOST_TRY(for_each_entry(txn.db, mailbox, uids,
                           [&](MessageEntry e) { entries.push_back(std::move(e)); }));
  if (entries.empty()) return ok();
  return expunge_entries(txn, *mb, entries, out);
}

Status release_mailbox_blobs(WriteTxn& txn, MailboxId mailbox) {
  std::vector<std::pair<std::string, int64_t>> refs;
  {
    auto stmt =
        txn.db.prepare("SELECT blob, count(*) FROM messages WHERE mailbox = ? GROUP BY blob");
    if (!stmt) return stmt.error();
    stmt->bind(1, mailbox);
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      refs.emplace_back(std::string(stmt->text_at(0)), stmt->int_at(1));
    }
  }
  for (const auto& [id, count] : refs) ROOST_TRY(drop_blob_refs(txn, id, count));
  return ok();
}

}  // namespace roost::store::sqlite
