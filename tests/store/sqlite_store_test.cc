// SQLite-specific behaviour: files on disk, repair, and big-mailbox timing.
#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "mime/message.h"
#include "store/content_hash.h"
#include "store/event_hub.h"
#include "store/sqlite/external_changes.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"

namespace roost::store::testing {
namespace {

// Takes a version-5 index back to what version 4 had.
constexpr const char* kDropVersion5 = "DROP INDEX messages_unseen; DROP INDEX messages_keywords;";
// Takes a version-5 index back to what version 3 had.
constexpr const char* kDropVersion4 =
    "DROP INDEX messages_unseen; DROP INDEX messages_keywords; "
    "ALTER TABLE messages DROP COLUMN sent_date; DROP TABLE message_headers;";
// Takes a version-5 index back to what version 2 had.
constexpr const char* kDropVersion3 =
    "DROP INDEX messages_unseen; DROP INDEX messages_keywords; "
    "ALTER TABLE messages DROP COLUMN sent_date; DROP TABLE message_headers; "
    "DROP TABLE account_settings; DROP TABLE pop3_hidden; ALTER TABLE blobs DROP COLUMN crlf_size;";

class SqliteStoreTest : public StoreTest {
 protected:
  // The first column of the first row of `sql` (-1 when there is none).
  int64_t count_rows(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir() + "/index.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    int64_t value = -1;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }
  void exec_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir() + "/index.sqlite").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  std::string lock_text() {
    std::ifstream in(dir() + "/index.lock");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // What a process killed with the store open leaves behind.
  void leave_as_after_a_crash() { std::ofstream(dir() + "/index.lock") << "open\n"; }
  bool tmp_is_empty() { return std::filesystem::is_empty(std::filesystem::path(dir()) / "tmp"); }
};

TEST_P(SqliteStoreTest, BlobFilesLiveUnderFanOutDirs) {
  if (GetParam().small_blobs_in_index) GTEST_SKIP() << "small blobs are not files; SqliteFiles";
  auto ref = store().blobs().put("fan out");
  ASSERT_TRUE(ref);
  auto path = GetParam().blob_path(dir(), ref->id);
  ASSERT_TRUE(path);
  EXPECT_TRUE(std::filesystem::exists(*path)) << *path;
  EXPECT_EQ(*path, dir() + "/blobs/" + ref->id.substr(0, 2) + "/" + ref->id);  // one level
}

// Stores written before the one-level layout keep their files at blobs/ab/cd/<id>: they are
// read, deduplicated against, removed and checked by repair where they are.
TEST_P(SqliteStoreTest, BlobFilesOfTheTwoLevelLayoutStillServe) {
  if (GetParam().small_blobs_in_index) GTEST_SKIP() << "small blobs are not files; SqliteFiles";
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo archive = mailbox(a.id, "Archive");
  NewMessage old = message("written under two levels");
  ASSERT_TRUE(store().append(inbox.id, {old}));
  auto unreferenced = store().blobs().put("an old orphan");
  ASSERT_TRUE(unreferenced);
  store_.reset();
  auto to_legacy = [&](const std::string& id) {
    std::string now = dir() + "/blobs/" + id.substr(0, 2) + "/" + id;
    std::string legacy_dir = dir() + "/blobs/" + id.substr(0, 2) + "/" + id.substr(2, 2);
    std::filesystem::create_directories(legacy_dir);
    std::filesystem::rename(now, legacy_dir + "/" + id);
    return legacy_dir + "/" + id;
  };
  std::string old_path = to_legacy(old.blob.id);
  std::string orphan_path = to_legacy(unreferenced->id);
  { std::ofstream(dir() + "/blobs/" + old.blob.id.substr(0, 2) + "/zz") << "stray"; }
  leave_as_after_a_crash();
  reopen();  // repair: the referenced old file stays, the old orphan goes
  EXPECT_TRUE(std::filesystem::exists(old_path));
  EXPECT_FALSE(std::filesystem::exists(orphan_path));
  auto bytes = store().blobs().read(old.blob.id);
  ASSERT_TRUE(bytes) << bytes.error().describe();
  EXPECT_EQ(std::string((*bytes)->bytes()), "written under two levels");
  // The same bytes again: deduplicated against the old file, no second copy.
  NewMessage again = message("written under two levels");
  EXPECT_EQ(again.blob.id, old.blob.id);
  ASSERT_TRUE(store().append(archive.id, {again}));
  EXPECT_FALSE(
      std::filesystem::exists(dir() + "/blobs/" + old.blob.id.substr(0, 2) + "/" + old.blob.id));
  // The last reference gone, the old file goes.
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({1})));
  EXPECT_TRUE(std::filesystem::exists(old_path));
  ASSERT_TRUE(store().expunge(archive.id, uid_set_of({1})));
  EXPECT_FALSE(std::filesystem::exists(old_path));
  auto summary = store().repair();
  ASSERT_TRUE(summary);
  EXPECT_NE(summary->find("1 stray file"), std::string::npos) << *summary;
}

TEST_P(SqliteStoreTest, BlobBatchPlacesFilesOnlyAtSync) {
  {
    auto dropped = store().blobs().begin_batch();
    ASSERT_TRUE(dropped);
    auto ref = (*dropped)->add("never synced");
    ASSERT_TRUE(ref);
    EXPECT_FALSE(std::filesystem::exists(*GetParam().blob_path(dir(), ref->id)));
  }
  EXPECT_TRUE(tmp_is_empty());  // a batch dropped before sync() leaves nothing
  auto batch = store().blobs().begin_batch();
  ASSERT_TRUE(batch);
  auto one = (*batch)->add("first of the batch");
  auto two = (*batch)->add("second of the batch");
  auto again = (*batch)->add("first of the batch");
  ASSERT_TRUE(one && two && again);
  EXPECT_EQ(*one, *again);
  EXPECT_FALSE(std::filesystem::exists(*GetParam().blob_path(dir(), one->id)));
  ASSERT_TRUE((*batch)->sync());
  EXPECT_TRUE(tmp_is_empty());
  EXPECT_EQ(std::string((*store().blobs().read(two->id))->bytes()), "second of the batch");
  EXPECT_FALSE((*batch)->add("after sync"));
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage m1, m2, m3;
  m1.blob = *one;
  m2.blob = *two;
  m3.blob = *again;
  ASSERT_TRUE(store().append(inbox.id, {m1, m2, m3}));
  reopen();  // repair keeps them: referenced
  EXPECT_EQ(std::string((*store().blobs().read(one->id))->bytes()), "first of the batch");
}

TEST_P(SqliteStoreTest, SchemaVersion1IsUpgradedInPlace) {
  Account a = make_account();
  auto uids = append_texts(mailbox(a.id, "INBOX").id, 2);
  store_.reset();
  // What a version-1 index looked like: no scram column, none of the version-3 tables.
  exec_sql(std::string(kDropVersion3) +
           "ALTER TABLE accounts DROP COLUMN scram; UPDATE schema_version SET version = 1;");
  reopen();
  auto found = store().find_account("alice");
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_EQ(found->id, a.id);
  EXPECT_EQ(found->password_hash, a.password_hash);
  EXPECT_EQ(found->scram_credentials, "");
  EXPECT_EQ(uids_of(mailbox(a.id, "INBOX").id), uids);
  ASSERT_TRUE(store().set_scram_credentials(a.id, "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5"));
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir() + "/index.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), sqlite::kSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_P(SqliteStoreTest, SchemaVersion2IsUpgradedInPlace) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage m = message("Subject: v2\n\nbody\n");
  ASSERT_TRUE(store().append(inbox.id, {m}));
  store_.reset();
  exec_sql(std::string(kDropVersion3) + "UPDATE schema_version SET version = 2;");
  reopen();
  EXPECT_EQ(uids_of(inbox.id), std::vector<Uid>{1});
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), std::nullopt);
  EXPECT_TRUE(store().pop3_hidden(a.id)->empty());
  EXPECT_EQ(*store().crlf_sizes({m.blob.id}), std::vector<std::optional<uint64_t>>{std::nullopt});
  ASSERT_TRUE(store().set_account_setting(a.id, "pop3.delete_policy", "keep"));
  ASSERT_TRUE(store().hide_from_pop3(a.id, {m.blob.id}, 5));
  ASSERT_TRUE(store().set_crlf_sizes({{m.blob.id, 21}}));
  reopen();
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), "keep");
  EXPECT_EQ(*store().pop3_hidden(a.id), (std::vector<Pop3Hidden>{{m.blob.id, 5}}));
  EXPECT_EQ(*store().crlf_sizes({m.blob.id}), std::vector<std::optional<uint64_t>>{21});
  store_.reset();
  EXPECT_EQ(count_rows("SELECT version FROM schema_version"), sqlite::kSchemaVersion);
}

TEST_P(SqliteStoreTest, SchemaVersion3IsUpgradedInPlaceWithSentDates) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo trash = mailbox(a.id, "Trash");
  auto real = [&](const std::string& bytes) {
    NewMessage m = message(bytes);
    m.parsed = mime::serialize(mime::parse(bytes));
    return m;
  };
  NewMessage dated = real("Date: Tue, 1 Feb 2022 10:00:00 +0100\r\nSubject: a\r\n\r\nx\r\n");
  NewMessage undated = real("Subject: b\r\n\r\ny\r\n");
  NewMessage bad_date = real("Date: someday\r\nSubject: c\r\n\r\nz\r\n");
  NewMessage unreadable = message("Date: Tue, 1 Feb 2022 10:00:00 +0100\r\n\r\n");
  ASSERT_TRUE(store().append(inbox.id, {dated, undated, bad_date, unreadable}));
  ASSERT_TRUE(store().copy(inbox.id, uid_set_of({1}), trash.id));
  store_.reset();
  exec_sql(std::string(kDropVersion4) + "UPDATE schema_version SET version = 3;");
  reopen();
  EXPECT_EQ(count_rows("SELECT version FROM schema_version"), sqlite::kSchemaVersion);
  std::vector<int64_t> sent;
  for (const MessageEntry& e : *store().list_messages(inbox.id, all_uids())) {
    sent.push_back(e.sent_date);
  }
  // 2022-02-01 09:00 UTC; no, an invalid or an unreadable Date give -1 (SORT uses INTERNALDATE).
  EXPECT_EQ(sent, (std::vector<int64_t>{1643706000, -1, -1, -1}));
  EXPECT_EQ((*store().list_messages(trash.id, all_uids()))[0].sent_date, 1643706000);
  // Headers were not kept before version 4: SEARCH reads those from the blob.
  EXPECT_TRUE(store().headers(inbox.id, all_uids())->empty());
  // What is appended after the upgrade keeps its header.
  NewMessage later = real("Subject: later\r\n\r\nw\r\n");
  later.header = "Subject: later\r\n\r\n";
  ASSERT_TRUE(store().append(inbox.id, {later}));
  EXPECT_EQ(store().headers(inbox.id, all_uids())->size(), 1u);
}

TEST_P(SqliteStoreTest, SchemaVersion4IsUpgradedInPlaceWithSelectIndexes) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_texts(inbox.id, 4);
  ASSERT_TRUE(store().store_flags(inbox.id, {{1, 2}}, {FlagOp::Add, {kSeen, {"$Work"}}, {}}));
  store_.reset();
  exec_sql(std::string(kDropVersion5) + "UPDATE schema_version SET version = 4;");
  EXPECT_EQ(count_rows("SELECT count(*) FROM sqlite_master WHERE name = 'messages_unseen'"), 0);
  reopen();
  auto s = store().mailbox_summary(inbox.id, true);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->first_unseen, 3u);
  EXPECT_EQ(s->keywords, std::vector<std::string>{"$Work"});
  store_.reset();
  EXPECT_EQ(count_rows("SELECT version FROM schema_version"), sqlite::kSchemaVersion);
  // The indexes hold only what they are about.
  EXPECT_EQ(count_rows("SELECT count(*) FROM messages INDEXED BY messages_unseen "
                       "WHERE flags & 1 = 0"),
            2);
  EXPECT_EQ(count_rows("SELECT count(*) FROM messages INDEXED BY messages_keywords "
                       "WHERE keywords <> ''"),
            2);
}

TEST_P(SqliteStoreTest, DeleteAccountLeavesNoSettingsOrMarkRows) {
  Account a = make_account();
  Account b = make_account("bob");
  NewMessage m = message("marked");
  ASSERT_TRUE(store().append(mailbox(a.id, "INBOX").id, {m}));
  ASSERT_TRUE(store().append(mailbox(b.id, "INBOX").id, {m}));
  for (const Account& acct : {a, b}) {
    ASSERT_TRUE(store().set_account_setting(acct.id, "imap.used", "1"));
    ASSERT_TRUE(store().hide_from_pop3(acct.id, {m.blob.id}, 5));
  }
  ASSERT_TRUE(store().delete_account(a.id));
  store_.reset();
  EXPECT_EQ(count_rows("SELECT count(*) FROM account_settings"), 1);
  EXPECT_EQ(count_rows("SELECT count(*) FROM pop3_hidden"), 1);
  EXPECT_EQ(
      count_rows("SELECT count(*) FROM account_settings WHERE account = " + std::to_string(b.id)),
      1);
}

TEST_P(SqliteStoreTest, RepairRemovesLeftoversAndReportsMissing) {
  if (GetParam().small_blobs_in_index) GTEST_SKIP() << "small blobs are not files; SqliteFiles";
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage kept = message("kept");
  NewMessage lost = message("lost");
  ASSERT_TRUE(store().append(inbox.id, {kept, lost}));
  auto orphan = store().blobs().put("never appended");
  ASSERT_TRUE(orphan);
  store_.reset();
  leave_as_after_a_crash();
  { std::ofstream(dir() + "/tmp/123.4") << "half a message"; }
  std::filesystem::remove(*GetParam().blob_path(dir(), lost.blob.id));
  exec_sql("UPDATE mailboxes SET messages = 99, unseen = 0; UPDATE usage SET bytes = 7;");
  reopen();  // repair runs at open after a crash
  EXPECT_FALSE(std::filesystem::exists(*GetParam().blob_path(dir(), orphan->id)));
  EXPECT_TRUE(std::filesystem::exists(*GetParam().blob_path(dir(), kept.blob.id)));
  EXPECT_TRUE(std::filesystem::is_empty(std::filesystem::path(dir()) / "tmp"));
  MailboxInfo fixed = mailbox(a.id, "INBOX");
  EXPECT_EQ(fixed.messages, 2u);
  EXPECT_EQ(fixed.unseen, 2u);
  EXPECT_EQ(store().usage(a.id)->bytes, 8u);
  auto summary = store().repair();
  ASSERT_TRUE(summary);
  EXPECT_NE(summary->find("corrupt: 1 blob files missing, referenced by 1 entries"),
            std::string::npos)
      << *summary;
  EXPECT_EQ(uids_of(inbox.id).size(), 2u);  // reported, not dropped
}

TEST_P(SqliteStoreTest, RepairRunsAtOpenOnlyAfterAnUncleanStop) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  ASSERT_TRUE(store().append(inbox.id, {message("one")}));
  EXPECT_EQ(lock_text(), "open\n");
  store_.reset();
  EXPECT_EQ(lock_text(), "clean\n");
  exec_sql("UPDATE mailboxes SET messages = 99");  // drift only the full repair would see
  { std::ofstream(dir() + "/tmp/123.4") << "half a message"; }
  reopen();
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, 99u);  // no full scan after a clean stop
  EXPECT_TRUE(tmp_is_empty());  // but its temp files are nobody's: it was alone
  EXPECT_EQ(lock_text(), "open\n");
  store_.reset();
  leave_as_after_a_crash();
  reopen();
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, 1u);
  // A store from before the marker existed has no lock file: repaired once.
  store_.reset();
  std::filesystem::remove(dir() + "/index.lock");
  exec_sql("UPDATE mailboxes SET messages = 98");
  reopen();
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, 1u);
}

TEST_P(SqliteStoreTest, ASecondOpenerNeitherRepairsNorRecordsTheStop) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  ASSERT_TRUE(store().append(inbox.id, {message("one")}));
  exec_sql("UPDATE mailboxes SET messages = 99");
  // The first opener's append in flight (a server, while `roost import` opens the store).
  { std::ofstream(dir() + "/tmp/123.4") << "half a message"; }
  leave_as_after_a_crash();  // the lock says why a repair would be due, yet one is not alone
  auto second = GetParam().open(dir());
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_FALSE(tmp_is_empty());
  EXPECT_EQ((*second)->find_mailbox(a.id, "INBOX")->messages, 99u);
  store_.reset();  // not the last one out
  EXPECT_EQ(lock_text(), "open\n");
  store_ = std::move(*second);
  ASSERT_TRUE(store().append(inbox.id, {message("two")}));
  store_.reset();
  EXPECT_EQ(lock_text(), "clean\n");
  reopen();
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, 100u);
}

TEST_P(SqliteStoreTest, SchemaVersion5IsUpgradedWithSmallBlobsInTheIndex) {
  store_.reset();
  exec_sql("DROP TABLE inline_blobs; UPDATE schema_version SET version = 5;");
  reopen();
  Account a = make_account();
  NewMessage m = message("Subject: after the upgrade\r\n\r\nx\r\n");
  ASSERT_TRUE(store().append(mailbox(a.id, "INBOX").id, {m}));
  EXPECT_EQ(std::string((*store().blobs().read(m.blob.id))->bytes()),
            "Subject: after the upgrade\r\n\r\nx\r\n");
  store_.reset();
  EXPECT_EQ(count_rows("SELECT version FROM schema_version"), sqlite::kSchemaVersion);
  EXPECT_EQ(count_rows("SELECT count(*) FROM inline_blobs"),
            GetParam().small_blobs_in_index ? 1 : 0);
}

TEST_P(SqliteStoreTest, SmallBlobsLiveInTheIndexAndBigOnesInFiles) {
  if (!GetParam().small_blobs_in_index) GTEST_SKIP() << "every blob is a file here";
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::string small = "Subject: small\r\n\r\n" + std::string(1000, 's');
  std::string limit(64 * 1024, 'l');     // the largest blob kept in the index
  std::string big(64 * 1024 + 1, 'b');  // one byte more: a file
  // Written in pieces, as APPEND and SMTP stream them.
  auto write = [&](const std::string& bytes) {
    auto w = store().blobs().begin();
    EXPECT_TRUE(w);
    for (size_t at = 0; at < bytes.size(); at += 7000) {
      EXPECT_TRUE((*w)->write(std::string_view(bytes).substr(at, 7000)));
    }
    EXPECT_EQ((*w)->size(), bytes.size());
    auto ref = (*w)->commit();
    EXPECT_TRUE(ref) << ref.error().describe();
    return ref ? *ref : BlobRef{};
  };
  NewMessage m1, m2, m3;
  m1.blob = write(small);
  m2.blob = write(limit);
  m3.blob = write(big);
  EXPECT_EQ(m1.blob.id, content_id(small));
  EXPECT_EQ(m3.blob.id, content_id(big));
  // Readable before the append (the ingest path parses it then), not yet on disk anywhere.
  EXPECT_EQ((*store().blobs().read(m1.blob.id))->bytes(), small);
  EXPECT_FALSE(std::filesystem::exists(*GetParam().blob_path(dir(), m1.blob.id)));
  EXPECT_TRUE(std::filesystem::exists(*GetParam().blob_path(dir(), m3.blob.id)));
  ASSERT_TRUE(store().append(inbox.id, {m1, m2, m3}));
  EXPECT_EQ(count_rows("SELECT count(*) FROM inline_blobs"), 2);
  EXPECT_FALSE(std::filesystem::exists(*GetParam().blob_path(dir(), m2.blob.id)));
  reopen();  // from the index now, and repair finds nothing to say
  EXPECT_EQ((*store().blobs().read(m1.blob.id))->bytes(), small);
  EXPECT_EQ((*store().blobs().read(m2.blob.id))->bytes(), limit);
  EXPECT_EQ((*store().blobs().read(m3.blob.id))->bytes(), big);
  auto summary = store().repair();
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->find("corrupt"), std::string::npos) << *summary;
  // A copy shares the row; the bytes go with the last entry.
  MailboxInfo archive = mailbox(a.id, "Archive");
  ASSERT_TRUE(store().copy(inbox.id, all_uids(), archive.id));
  ASSERT_TRUE(store().expunge(inbox.id, all_uids()));
  EXPECT_EQ((*store().blobs().read(m1.blob.id))->bytes(), small);
  ASSERT_TRUE(store().expunge(archive.id, all_uids()));
  EXPECT_EQ(store().blobs().read(m1.blob.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().blobs().read(m3.blob.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(stored_blobs(), 0u);
}

TEST_P(SqliteStoreTest, SmallBlobNeverAppendedLeavesNothing) {
  if (!GetParam().small_blobs_in_index) GTEST_SKIP() << "every blob is a file here";
  auto staged = store().blobs().put("acknowledged never");
  ASSERT_TRUE(staged);
  EXPECT_TRUE(store().blobs().read(staged->id));
  reopen();  // a crash before the append: the bytes were never promised to anyone
  EXPECT_EQ(store().blobs().read(staged->id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(stored_blobs(), 0u);
}

TEST_P(SqliteStoreTest, RepairDropsIndexBytesNoEntryUses) {
  if (!GetParam().small_blobs_in_index) GTEST_SKIP() << "every blob is a file here";
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage kept = message("kept in the index");
  NewMessage gone = message("entry lost");
  ASSERT_TRUE(store().append(inbox.id, {kept, gone}));
  store_.reset();
  leave_as_after_a_crash();
  exec_sql("DELETE FROM messages WHERE uid = 2");
  reopen();  // repair: refcount to 0, row and bytes dropped
  EXPECT_EQ(count_rows("SELECT count(*) FROM inline_blobs"), 1);
  EXPECT_EQ(std::string((*store().blobs().read(kept.blob.id))->bytes()), "kept in the index");
  EXPECT_EQ(store().blobs().read(gone.blob.id).error().kind, ErrorKind::NotFound);
}

TEST_P(SqliteStoreTest, CheckpointsRunBesideCommitsAndKeepTheWalSmall) {
  auto* impl = dynamic_cast<sqlite::SqliteStore*>(&store());
  ASSERT_NE(impl, nullptr);
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  auto wal_bytes = [&] { return std::filesystem::file_size(dir() + "/index.sqlite-wal"); };
  uint64_t largest = 0;
  // 40 MiB through the index, ten times the WAL's checkpoint limit (1,000 pages).
  for (int i = 0; i < 640; ++i) {
    NewMessage m = message("Subject: " + std::to_string(i) + "\r\n\r\n" +
                           std::string(60 * 1024, static_cast<char>('a' + i % 26)));
    ASSERT_TRUE(store().append(inbox.id, {m}));
    largest = std::max<uint64_t>(largest, wal_bytes());
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (impl->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(impl->checkpoints(), 0u);
  // The WAL started over rather than holding everything (40 MiB).
  EXPECT_LT(largest, 20u * 1024 * 1024);
  EXPECT_EQ(uids_of(inbox.id).size(), 640u);
  reopen();
  auto last = store().list_messages(inbox.id, uid_set_of({640}));
  ASSERT_TRUE(last && last->size() == 1);
  EXPECT_EQ((*store().blobs().read((*last)[0].blob.id))->bytes().size(),
            std::string("Subject: 639\r\n\r\n").size() + 60 * 1024);
}

TEST_P(SqliteStoreTest, AThrowingSubscriberDoesNotStopLaterWrites) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::atomic<int> calls{0};
  auto sub = store().subscribe(a.id, [&](const MailboxEvent&) {
    if (calls.fetch_add(1) == 0) throw std::runtime_error("subscriber bug");
  });
  // The first commit's event reaches the throwing callback: that caller hears of a failure
  // (its write did commit), and the writer goes on for everyone after.
  EXPECT_FALSE(store().append(inbox.id, {message("first")}));
  ASSERT_TRUE(store().append(inbox.id, {message("second")}));
  EXPECT_EQ(uids_of(inbox.id).size(), 2u);
  EXPECT_EQ(calls.load(), 2);
}

TEST_P(SqliteStoreTest, BigMailboxStatesAreFast) {
  // ROOST_BIG_MAILBOX=1000000 measures the full-size case by hand (release build).
  const char* big = std::getenv("ROOST_BIG_MAILBOX");
  const uint32_t kMessages =
      big != nullptr ? static_cast<uint32_t>(std::atoi(big)) / 5000 * 5000 : 200000;
  constexpr int kBatch = 5000;
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage m = message("one blob shared by every entry");
  auto start = std::chrono::steady_clock::now();
  for (uint32_t done = 0; done < kMessages; done += kBatch) {
    std::vector<NewMessage> batch(kBatch, m);
    for (int i = 0; i < kBatch; i += 7) batch[i].flags.system = kSeen;
    for (int i = 0; i < kBatch; i += 50) batch[i].flags.keywords = {"$Label1"};
    ASSERT_TRUE(store().append(inbox.id, std::move(batch)));
  }
  double append_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  start = std::chrono::steady_clock::now();
  auto states = store().message_states(inbox.id);
  double read_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), size_t{kMessages});
  EXPECT_EQ(states->back().uid, Uid{kMessages});
  EXPECT_EQ((*states)[0].flags.keywords, std::vector<std::string>{"$Label1"});
  start = std::chrono::steady_clock::now();
  auto summary = store().mailbox_summary(inbox.id, true);
  double summary_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->first_unseen, 2u);
  EXPECT_EQ(summary->keywords, std::vector<std::string>{"$Label1"});
  start = std::chrono::steady_clock::now();
  auto table = store().flag_table(inbox.id, summary->info.highest_modseq);
  double table_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(table);
  EXPECT_EQ(table->uids.size(), size_t{kMessages});
  EXPECT_EQ(table->keyword_sets.size(), 2u);
  std::printf(
      "[ perf ] appended %u in %.2f s (%.0f/s, batches of %d); message_states %.3f s, "
      "mailbox_summary %.4f s, flag_table %.3f s\n",
      kMessages, append_secs, kMessages / append_secs, kBatch, read_secs, summary_secs, table_secs);
  EXPECT_LT(read_secs, 5.0);
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, uint32_t{kMessages});
}

// FNV-1a over each message's UID, system flags and keywords: equal for equal mailbox states.
class StateDigest {
 public:
  void add(Uid uid, uint32_t system, const std::vector<std::string>& keywords) {
    mix(&uid, sizeof uid);
    mix(&system, sizeof system);
    for (const std::string& k : keywords) mix(k.data(), k.size() + 1);  // with its NUL
    mix("|", 1);
  }
  uint64_t value() const { return h_; }

 private:
  void mix(const void* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h_ = (h_ ^ static_cast<const unsigned char*>(data)[i]) * 0x100000001b3ULL;
    }
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

uint64_t digest(const FlagTable& t) {
  StateDigest d;
  for (size_t i = 0; i < t.uids.size(); ++i) {
    d.add(t.uids[i], t.system[i], t.keyword_sets[t.keyword_set[i]]);
  }
  return d.value();
}

uint64_t digest(const std::vector<MessageState>& states) {
  StateDigest d;
  for (const MessageState& s : states) d.add(s.uid, s.flags.system, s.flags.keywords);
  return d.value();
}

// Appends `count` entries of one blob in batches (fast: no blob per message).
void append_many(Store& store, MailboxId mailbox, const NewMessage& m, uint32_t count) {
  for (uint32_t done = 0; done < count; done += 5000) {
    std::vector<NewMessage> batch(std::min<uint32_t>(5000, count - done), m);
    ASSERT_TRUE(store.append(mailbox, std::move(batch)));
  }
}

// A mailbox past kSplitScanMin is read as two UID ranges on two connections: the table is the
// one message_states() reads, keyword sets found in either range are interned once, and the
// changes since a MODSEQ are those changes_since() reports. The expunged head makes the ranges
// uneven (the split is by UID between the lowest and UIDNEXT).
TEST_P(SqliteStoreTest, FlagTableOfABigMailboxIsReadInTwoRanges) {
  constexpr uint32_t kMessages = sqlite::SqliteStore::kSplitScanMin + 10000;
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_many(store(), inbox.id, message("one blob shared by every entry"), kMessages);
  std::vector<Uid> seen, lower, upper, both, head;
  for (Uid uid = 1; uid <= kMessages; ++uid) {
    if (uid % 5 == 0) seen.push_back(uid);
    if (uid % 17 == 0) {
      both.push_back(uid);
    } else if (uid % 11 == 0 && uid <= kMessages / 2) {
      lower.push_back(uid);
    } else if (uid % 13 == 0 && uid > kMessages / 2) {
      upper.push_back(uid);
    }
    if (uid <= 6000) head.push_back(uid);
  }
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of(seen), {FlagOp::Add, {kSeen, {}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of(lower), {FlagOp::Add, {0, {"lower"}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of(upper), {FlagOp::Add, {0, {"upper"}}, {}}));
  ASSERT_TRUE(
      store().store_flags(inbox.id, uid_set_of(both), {FlagOp::Add, {0, {"both", "x"}}, {}}));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of(head)));
  ModSeq since = mailbox(a.id, "INBOX").highest_modseq;
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({6001, kMessages - 1}),
                                  {FlagOp::Add, {kFlagged, {}}, {}}));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({7000, kMessages - 5000})));

  auto table = store().flag_table(inbox.id, since);
  ASSERT_TRUE(table) << table.error().describe();
  auto states = store().message_states(inbox.id);
  ASSERT_TRUE(states);
  ASSERT_EQ(table->uids.size(), states->size());
  ASSERT_EQ(table->system.size(), states->size());
  ASSERT_EQ(table->keyword_set.size(), states->size());
  for (size_t i = 0; i < states->size(); ++i) {
    const MessageState& s = (*states)[i];
    ASSERT_EQ(table->uids[i], s.uid) << i;
    ASSERT_EQ(table->system[i], s.flags.system) << s.uid;
    ASSERT_LT(table->keyword_set[i], table->keyword_sets.size()) << s.uid;
    ASSERT_EQ(table->keyword_sets[table->keyword_set[i]], s.flags.keywords) << s.uid;
  }
  EXPECT_EQ(digest(*table), digest(*states));
  auto sets = table->keyword_sets;
  ASSERT_FALSE(sets.empty());
  EXPECT_TRUE(sets[0].empty());
  std::sort(sets.begin(), sets.end());
  EXPECT_EQ(std::unique(sets.begin(), sets.end()), sets.end());  // each set interned once
  EXPECT_EQ(table->keyword_sets.size(), 4u);                     // none, lower, upper, both+x

  auto changes = store().changes_since(inbox.id, since);
  ASSERT_TRUE(changes);
  std::vector<std::pair<Uid, ModSeq>> changed;
  for (const MessageState& s : changes->changed) changed.emplace_back(s.uid, s.modseq);
  EXPECT_EQ(table->changed, changed);
  EXPECT_EQ(table->changed.size(), 2u);
  EXPECT_EQ(table->expunged, (std::vector<Uid>{7000, kMessages - 5000}));
  EXPECT_EQ(table->highest_modseq, mailbox(a.id, "INBOX").highest_modseq);
}

// flag_table() reads its two ranges in two snapshots; while another thread appends, flags and
// expunges in both ranges, every table read must still be the mailbox exactly as it was at the
// table's HIGHESTMODSEQ (the one writer records each state it leaves behind).
TEST_P(SqliteStoreTest, FlagTableIsOneSnapshotWhileOthersWrite) {
  // Three ranges: the first read by the caller, two on other connections.
  constexpr uint32_t kMessages =
      std::max(sqlite::SqliteStore::kSplitScanMin, 3 * sqlite::SqliteStore::kRowsPerScan) + 4000;
  constexpr int kRounds = 24;
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage m = message("one blob shared by every entry");
  append_many(store(), inbox.id, m, kMessages);
  ModSeq since = mailbox(a.id, "INBOX").highest_modseq;

  std::mutex mu;
  std::map<ModSeq, uint64_t> states_at;             // recorded by the writer
  std::vector<std::pair<ModSeq, uint64_t>> tables;  // read by the readers
  auto record = [&] {
    auto mb = store().get_mailbox(inbox.id);
    auto states = store().message_states(inbox.id);
    ASSERT_TRUE(mb && states);
    std::lock_guard lock(mu);
    states_at[mb->highest_modseq] = digest(*states);
  };
  record();
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto t = store().flag_table(inbox.id, since);
        if (!t) {
          ++failures;
          continue;
        }
        uint64_t d = digest(*t);
        std::lock_guard lock(mu);
        tables.emplace_back(t->highest_modseq, d);
      }
    });
  }
  // No ASSERT until the readers are joined: returning would leave them running.
  for (int i = 0; i < kRounds; ++i) {
    Uid low = static_cast<Uid>(100 + i * 300);               // in the lower range
    Uid high = static_cast<Uid>(kMessages - 100 - i * 300);  // in the upper range
    switch (i % 4) {
      case 0:
        append_many(store(), inbox.id, m, 3);
        break;
      case 1:
        EXPECT_TRUE(store().store_flags(inbox.id, uid_set_of({low, low + 1, high}),
                                        {FlagOp::Add, {kSeen | kAnswered, {}}, {}}));
        break;
      case 2:
        EXPECT_TRUE(store().store_flags(inbox.id, uid_set_of({low + 2, high - 1}),
                                        {FlagOp::Add, {0, {"k" + std::to_string(i)}}, {}}));
        break;
      case 3:
        EXPECT_TRUE(store().expunge(inbox.id, uid_set_of({low + 3, high - 2})));
        break;
    }
    record();
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_FALSE(tables.empty());
  size_t between = 0;
  for (const auto& [modseq, d] : tables) {
    auto it = states_at.find(modseq);
    ASSERT_NE(it, states_at.end()) << "no state was left at MODSEQ " << modseq;
    EXPECT_EQ(d, it->second) << "table at MODSEQ " << modseq << " is not that snapshot";
    if (modseq != states_at.begin()->first && modseq != states_at.rbegin()->first) ++between;
  }
  std::printf("[ info ] %zu tables read, %zu of them between the first and last write\n",
              tables.size(), between);
}

// Durable (fsync) appends, one message per call: sequential vs 8 threads sharing commits.
TEST_P(SqliteStoreTest, DurableAppendRates) {
  store_.reset();
  auto opened = open_sqlite_store({dir() + "/durable", /*durable=*/true});
  ASSERT_TRUE(opened);
  store_ = std::move(*opened);
  Account a = make_account();
  MailboxId inbox = mailbox(a.id, "INBOX").id;
  auto one = [&](const std::string& text) {
    auto ref = store().blobs().put(text);
    NewMessage m;
    if (ref) m.blob = *ref;
    return ref && store().append(inbox, {m});
  };
  constexpr int kEach = 50;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kEach; ++i) ASSERT_TRUE(one("seq " + std::to_string(i)));
  double seq = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) failures += !one(std::to_string(t) + "/" + std::to_string(i));
    });
  }
  for (auto& th : threads) th.join();
  double par = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(failures.load(), 0);
  std::printf("[ perf ] durable appends: sequential %.0f/s, 8 threads %.0f/s\n", kEach / seq,
              8 * kEach / par);
}

// Another process's commits (here: the suite's store, whose writer does not tell the watcher)
// reach a watcher's subscribers as events; what the writer reports itself is not repeated.
TEST_P(SqliteStoreTest, ExternalCommitsBecomeEvents) {
  Account a = make_account();
  MailboxId inbox = mailbox(a.id, "INBOX").id;
  auto hub = std::make_shared<EventHub>();
  std::vector<MailboxEvent> seen;
  std::mutex mu;
  auto sub = hub->subscribe(a.id, [&](const MailboxEvent& e) {
    std::lock_guard lock(mu);
    seen.push_back(e);
  });
  // A period far longer than the test: only the explicit polls run.
  sqlite::ExternalChanges watcher(dir() + "/index.sqlite", hub, std::chrono::hours(1));
  EXPECT_TRUE(watcher.poll().empty());  // nothing new since it started

  append_texts(inbox, 2);
  auto events = watcher.poll();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailboxEvent::Kind::Changed);
  EXPECT_EQ(events[0].mailbox, inbox);
  EXPECT_EQ(events[0].account, a.id);
  EXPECT_TRUE(watcher.poll().empty());  // no change, no event

  auto created = store().create_mailbox(a.id, "Projects", SpecialUse::None);
  ASSERT_TRUE(created);
  events = watcher.poll();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailboxEvent::Kind::Created);
  ASSERT_TRUE(store().rename_mailbox(created->id, "Work"));
  events = watcher.poll();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailboxEvent::Kind::Renamed);
  ASSERT_TRUE(store().delete_mailbox(created->id));
  events = watcher.poll();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MailboxEvent::Kind::Deleted);
  EXPECT_EQ(events[0].mailbox, created->id);

  // What this process's writer already published is not announced again.
  append_texts(inbox, 1, "own");
  auto after = store().get_mailbox(inbox);
  ASSERT_TRUE(after);
  watcher.note_published({{MailboxEvent::Kind::Changed, a.id, inbox, after->highest_modseq}});
  EXPECT_TRUE(watcher.poll().empty());
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.size(), 4u);  // subscribers got exactly what poll() returned
}

INSTANTIATE_TEST_SUITE_P(All, SqliteStoreTest, ::testing::ValuesIn([] {
                           auto all = store_factories();
                           std::erase_if(all, [](const StoreFactory& f) {
                             return !f.name.starts_with("Sqlite");
                           });
                           return all;
                         }()),
                         factory_name);

}  // namespace
}  // namespace roost::store::testing
