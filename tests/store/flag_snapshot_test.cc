// Flag snapshots (store/sqlite/flag_snapshot.h): the file format, the merge of the changes since,
// and flag_table() of a big mailbox read through one, always equal to the full read.
#include "store/sqlite/flag_snapshot.h"

#include <filesystem>
#include <fstream>

#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"

namespace roost::store::testing {
namespace {

using sqlite::ChangedRow;
using sqlite::FlagRows;

FlagRows rows_of(std::vector<Uid> uids, std::vector<uint32_t> system,
                 std::vector<uint32_t> sets, std::vector<std::string> texts) {
  FlagRows r;
  r.uids = std::move(uids);
  r.system = std::move(system);
  r.keyword_set = std::move(sets);
  r.set_texts.insert(r.set_texts.end(), texts.begin(), texts.end());
  return r;
}

// Each row's UID, flags and keyword text: what two FlagRows must agree on.
std::vector<std::tuple<Uid, uint32_t, std::string>> flat(const FlagRows& r) {
  std::vector<std::tuple<Uid, uint32_t, std::string>> out;
  for (size_t i = 0; i < r.uids.size(); ++i) {
    out.emplace_back(r.uids[i], r.system[i], r.set_texts[r.keyword_set[i]]);
  }
  return out;
}

class FlagSnapshotFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("roost-flag-snapshot-" + std::to_string(::getpid())))
               .string();
    std::filesystem::remove_all(dir_);
    path_ = sqlite::flag_snapshot_path(dir_, 7);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
  Env& env_ = Env::real();
};

TEST_F(FlagSnapshotFile, RoundTripsAndRefusesAnotherMailboxOrDamage) {
  FlagRows rows = rows_of({1, 5, 9}, {1, 0, 8}, {0, 1, 2}, {"$Junk", "$Forwarded work"});
  ASSERT_TRUE(sqlite::write_flag_snapshot(env_, path_, {7, 1234}, 42, rows));
  auto back = sqlite::read_flag_snapshot(env_, path_, {7, 1234});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->modseq, 42u);
  EXPECT_EQ(flat(back->rows), flat(rows));
  EXPECT_FALSE(sqlite::read_flag_snapshot(env_, path_, {8, 1234}));  // another mailbox
  EXPECT_FALSE(sqlite::read_flag_snapshot(env_, path_, {7, 999}));   // recreated: new UIDVALIDITY
  EXPECT_FALSE(sqlite::read_flag_snapshot(env_, sqlite::flag_snapshot_path(dir_, 8), {8, 1}));

  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t at : {size_t{9}, sizeof(uint64_t) * 5, bytes.size() / 2, bytes.size() - 1}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << damaged;
    EXPECT_FALSE(sqlite::read_flag_snapshot(env_, path_, {7, 1234})) << "byte " << at;
  }
  for (size_t keep : {size_t{0}, size_t{20}, bytes.size() - 8}) {  // torn
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
    EXPECT_FALSE(sqlite::read_flag_snapshot(env_, path_, {7, 1234})) << keep << " bytes";
  }
}

TEST(FlagSnapshotMerge, ReplacesAddsAndDropsAndForgetsUnusedKeywordSets) {
  FlagRows old = rows_of({1, 2, 3, 4}, {0, 0, 1, 0}, {1, 0, 2, 0}, {"$Old", "$Kept"});
  std::vector<ChangedRow> changed = {{2, 1, "$New"}, {4, 8, ""}, {6, 0, "$Kept"}};
  std::vector<Uid> expunged = {1, 5};  // 5 came and went after the snapshot
  auto merged = sqlite::apply_changes(old, changed, expunged, 4);
  ASSERT_TRUE(merged);
  using Row = std::tuple<Uid, uint32_t, std::string>;
  EXPECT_EQ(flat(*merged), (std::vector<Row>{{2, 1, "$New"}, {3, 1, "$Kept"}, {4, 8, ""},
                                             {6, 0, "$Kept"}}));
  EXPECT_EQ(merged->set_texts, (std::vector<std::string>{"", "$Kept", "$New"}));
  EXPECT_FALSE(sqlite::apply_changes(old, changed, expunged, 5));  // not this index's history
  EXPECT_FALSE(sqlite::apply_changes(old, {}, {}, 3));
  EXPECT_EQ(flat(*sqlite::apply_changes(old, {}, {}, 4)), flat(old));
}

// The store with snapshots from 5 messages on, so that a test mailbox counts as big.
std::vector<StoreFactory> snapshot_factories() {
  StoreFactory f = store_factories()[0];
  f.name = "SqliteSnapshots";
  f.open = [](const std::string& dir) {
    return open_sqlite_store({.data_dir = dir, .durable = false, .flag_snapshot_min = 5});
  };
  return {f};
}

class FlagSnapshotStore : public StoreTest {
 protected:
  // flag_table() of this store, and of a second store on the same files that never uses
  // snapshots: they must agree row for row.
  void expect_same_as_full_read(MailboxId mailbox) {
    auto cached = store().flag_table(mailbox, 0);
    ASSERT_TRUE(cached) << cached.error().describe();
    auto plain = open_sqlite_store({.data_dir = dir(), .durable = false, .flag_snapshot_min = 0});
    ASSERT_TRUE(plain) << plain.error().describe();
    auto truth = (*plain)->flag_table(mailbox, 0);
    ASSERT_TRUE(truth);
    EXPECT_EQ(cached->uids, truth->uids);
    EXPECT_EQ(cached->system, truth->system);
    ASSERT_EQ(cached->keyword_set.size(), truth->keyword_set.size());
    for (size_t i = 0; i < truth->keyword_set.size(); ++i) {
      EXPECT_EQ(cached->keyword_sets[cached->keyword_set[i]],
                truth->keyword_sets[truth->keyword_set[i]])
          << "uid " << truth->uids[i];
    }
    EXPECT_EQ(cached->highest_modseq, truth->highest_modseq);
  }
  std::string snapshot_of(MailboxId mailbox) { return sqlite::flag_snapshot_path(dir(), mailbox); }
};

TEST_P(FlagSnapshotStore, BigMailboxReadsThroughItsSnapshotAndMatchesTheIndex) {
  Account a = make_account();
  MailboxInfo inbox = store().create_mailbox(a.id, "Lists", SpecialUse::None).value();
  MailboxInfo archive = mailbox(a.id, "Archive");
  std::vector<Uid> uids = append_texts(inbox.id, 12);
  EXPECT_FALSE(std::filesystem::exists(snapshot_of(inbox.id)));
  expect_same_as_full_read(inbox.id);  // the first read is a full one, and writes the snapshot
  ASSERT_TRUE(std::filesystem::exists(snapshot_of(inbox.id)));
  auto size_before = std::filesystem::file_size(snapshot_of(inbox.id));

  // Everything that changes a flag table, after the snapshot.
  FlagUpdate seen{FlagOp::Add, {kSeen, {"$Work"}}, std::nullopt};
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({uids[1], uids[2]}), seen));
  FlagUpdate replace{FlagOp::Replace, {kFlagged, {}}, std::nullopt};
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({uids[2]}), replace));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({uids[0], uids[5]})));
  ASSERT_TRUE(store().move(inbox.id, uid_set_of({uids[7]}), archive.id));
  ASSERT_TRUE(store().append(inbox.id, {message("new one", kDraft, {"$Later"})}));
  expect_same_as_full_read(inbox.id);
  EXPECT_EQ(std::filesystem::file_size(snapshot_of(inbox.id)), size_before);  // not rewritten

  // A mailbox below the size keeps no snapshot.
  append_texts(archive.id, 1);
  expect_same_as_full_read(archive.id);
  EXPECT_FALSE(std::filesystem::exists(snapshot_of(archive.id)));

  // Damaged: ignored, the full read answers and writes a good one.
  std::ofstream(snapshot_of(inbox.id), std::ios::binary | std::ios::trunc) << "half";
  expect_same_as_full_read(inbox.id);
  EXPECT_GT(std::filesystem::file_size(snapshot_of(inbox.id)), 4u);
  expect_same_as_full_read(inbox.id);

  ASSERT_TRUE(store().delete_mailbox(inbox.id));
  EXPECT_FALSE(std::filesystem::exists(snapshot_of(inbox.id)));
}

TEST_P(FlagSnapshotStore, ARecreatedMailboxDoesNotUseTheOldSnapshot) {
  Account a = make_account();
  MailboxInfo box = store().create_mailbox(a.id, "Lists", SpecialUse::None).value();
  append_texts(box.id, 8);
  expect_same_as_full_read(box.id);
  std::string saved;
  {
    std::ifstream in(snapshot_of(box.id), std::ios::binary);
    saved.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_TRUE(store().delete_mailbox(box.id));
  MailboxInfo again = store().create_mailbox(a.id, "Lists", SpecialUse::None).value();
  append_texts(again.id, 6, "other");
  // Even if the old file were back under the new mailbox's id (an id can be reused).
  std::ofstream(snapshot_of(again.id), std::ios::binary | std::ios::trunc) << saved;
  expect_same_as_full_read(again.id);
}

TEST_P(FlagSnapshotStore, ManyChangesRewriteTheSnapshot) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_texts(inbox.id, 6);
  expect_same_as_full_read(inbox.id);
  auto before = std::filesystem::last_write_time(snapshot_of(inbox.id));
  std::vector<NewMessage> more;
  for (size_t i = 0; i < sqlite::SqliteStore::kSnapshotRewrite; ++i) {
    more.push_back(message("bulk " + std::to_string(i)));
  }
  ASSERT_TRUE(store().append(inbox.id, std::move(more)));
  std::filesystem::last_write_time(snapshot_of(inbox.id), before - std::chrono::seconds(10));
  before = std::filesystem::last_write_time(snapshot_of(inbox.id));
  expect_same_as_full_read(inbox.id);
  EXPECT_GT(std::filesystem::last_write_time(snapshot_of(inbox.id)), before);
  expect_same_as_full_read(inbox.id);
}

INSTANTIATE_TEST_SUITE_P(All, FlagSnapshotStore, ::testing::ValuesIn(snapshot_factories()),
                         factory_name);

}  // namespace
}  // namespace roost::store::testing
