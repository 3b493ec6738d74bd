#include "mailbox/mailbox_view.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "mailbox/expunge.h"
#include "mailbox/ingest.h"
#include "mailbox/store_test_fixture.h"
#include "store/sqlite/sqlite_store.h"

namespace roost::mailbox {
namespace {

std::string message_n(int n) {
  return "From: a@example.com\r\nSubject: m" + std::to_string(n) + "\r\n\r\nBody\r\n";
}

class MailboxViewTest : public StoreTest {
 protected:
  void add(int n, uint32_t flags = 0) {
    Ingest ingest(*store_, {});
    for (int i = 0; i < n; ++i) {
      auto d = ingest.ingest({inbox_, "test"}, {message_n(next_++), {flags, {}}, 0, 0});
      ASSERT_TRUE(d) << d.error().describe();
    }
  }
  void refresh(MailboxView& view) {
    auto changes = store_->changes_since(inbox_, view.highest_modseq());
    ASSERT_TRUE(changes) << changes.error().describe();
    view.apply(*changes);
  }
  void set_flags(store::UidSet uids, store::FlagOp op, store::Flags flags) {
    auto r = store_->store_flags(inbox_, uids, {op, std::move(flags), std::nullopt});
    ASSERT_TRUE(r) << r.error().describe();
  }
  void remove(std::vector<store::Uid> uids) {
    auto r = expunge(*store_, inbox_, store::uid_set_of(uids), "test");
    ASSERT_TRUE(r) << r.error().describe();
  }

  int next_ = 1;
};

TEST_F(MailboxViewTest, LoadMapsSequenceNumbersToUids) {
  add(5);
  remove({2});
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view) << view.error().describe();
  EXPECT_EQ(view->exists(), 4u);
  EXPECT_EQ(view->uid_at(1), 1u);
  EXPECT_EQ(view->uid_at(2), 3u);
  EXPECT_EQ(view->seq_of(5), 4u);
  EXPECT_FALSE(view->seq_of(2));
  EXPECT_EQ(view->uidnext(), 6u);
  EXPECT_GT(view->uidvalidity(), 0u);
  EXPECT_TRUE(view->take_updates(true).empty());
}

TEST_F(MailboxViewTest, NewMessagesBecomeExists) {
  add(2);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  add(3);
  refresh(*view);
  ViewUpdates u = view->take_updates(true);
  ASSERT_TRUE(u.exists);
  EXPECT_EQ(*u.exists, 5u);
  EXPECT_TRUE(u.expunged.empty());
  EXPECT_TRUE(u.fetch_flags.empty());
  EXPECT_TRUE(view->take_updates(true).empty());
}

TEST_F(MailboxViewTest, ExpungesAreRenumberedInOrder) {
  add(11);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  remove({3, 4, 7, 11});  // the RFC 9051 §7.5.1 example
  refresh(*view);
  ViewUpdates u = view->take_updates(true);
  EXPECT_EQ(u.expunged, (std::vector<uint32_t>{3, 3, 5, 8}));
  EXPECT_FALSE(u.exists);
  EXPECT_EQ(view->exists(), 7u);
  EXPECT_EQ(view->uid_at(3), 5u);
  EXPECT_EQ(view->uid_at(7), 10u);
}

TEST_F(MailboxViewTest, ExpungesWaitWhileForbiddenButExistsDoesNot) {
  add(3);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  remove({2});
  add(1);
  refresh(*view);
  ViewUpdates held = view->take_updates(false);
  EXPECT_TRUE(held.expunged.empty());
  ASSERT_TRUE(held.exists);
  EXPECT_EQ(*held.exists, 4u);  // 3 known (one of them gone) + 1 new
  EXPECT_TRUE(view->is_expunged(2));
  EXPECT_EQ(view->uids_with(0), (std::vector<store::Uid>{1, 3, 4}));
  ViewUpdates later = view->take_updates(true);
  EXPECT_EQ(later.expunged, std::vector<uint32_t>{2});
  EXPECT_FALSE(later.exists);
  EXPECT_EQ(view->exists(), 3u);
}

TEST_F(MailboxViewTest, FlagChangesBecomeFetchAndNewKeywordsFlags) {
  add(3);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  set_flags({{2, 2}}, store::FlagOp::Add, {store::kSeen, {}});
  set_flags({{3, 3}}, store::FlagOp::Add, {0, {"$Work"}});
  refresh(*view);
  ViewUpdates u = view->take_updates(true);
  ASSERT_EQ(u.fetch_flags.size(), 2u);
  EXPECT_EQ(u.fetch_flags[0].seq, 2u);
  EXPECT_EQ(u.fetch_flags[0].flags.system, store::kSeen);
  EXPECT_EQ(u.fetch_flags[1].seq, 3u);
  EXPECT_EQ(u.fetch_flags[1].flags.keywords, std::vector<std::string>{"$Work"});
  ASSERT_TRUE(u.flags);
  EXPECT_EQ(u.flags->back(), "$Work");
  EXPECT_EQ(store_->mailbox_summary(inbox_, true)->first_unseen, 1u);
  EXPECT_EQ(view->uids_with(store::kSeen), std::vector<store::Uid>{2});
}

TEST_F(MailboxViewTest, FlagChangeThenExpungeSendsOnlyExpunge) {
  add(2);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  set_flags({{1, 1}}, store::FlagOp::Add, {store::kDeleted, {}});
  refresh(*view);
  remove({1});
  refresh(*view);
  ViewUpdates u = view->take_updates(true);
  EXPECT_EQ(u.expunged, std::vector<uint32_t>{1});
  EXPECT_TRUE(u.fetch_flags.empty());
}

TEST_F(MailboxViewTest, ExpungesComeWithTheirUidsAndFlagsWithTheirModseq) {
  add(4);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  set_flags({{3, 3}}, store::FlagOp::Add, {store::kSeen, {}});
  set_flags({{3, 3}}, store::FlagOp::Add, {store::kFlagged, {}});
  remove({1, 2});
  refresh(*view);
  store::ModSeq latest = view->highest_modseq();
  ViewUpdates u = view->take_updates(true);
  EXPECT_EQ(u.expunged, (std::vector<uint32_t>{1, 1}));
  EXPECT_EQ(u.vanished, (std::vector<store::Uid>{1, 2}));
  ASSERT_EQ(u.fetch_flags.size(), 1u);  // two changes of one message: one FETCH, latest MODSEQ
  EXPECT_EQ(u.fetch_flags[0].seq, 1u);
  EXPECT_EQ(u.fetch_flags[0].uid, 3u);
  EXPECT_EQ(u.fetch_flags[0].flags.system, store::kSeen | store::kFlagged);
  EXPECT_EQ(u.fetch_flags[0].modseq, latest - 1);  // the expunge came after both changes
}

TEST_F(MailboxViewTest, AnnouncedModseqWaitsForHeldBackExpunges) {
  add(3);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  store::ModSeq at_load = view->highest_modseq();
  EXPECT_EQ(view->announced_modseq(), at_load);
  set_flags({{1, 1}}, store::FlagOp::Add, {store::kSeen, {}});
  refresh(*view);
  EXPECT_EQ(view->announced_modseq(), at_load);  // nothing told yet
  view->take_updates(false);
  store::ModSeq flagged = view->highest_modseq();
  EXPECT_GT(flagged, at_load);
  EXPECT_EQ(view->announced_modseq(), flagged);
  remove({2});
  set_flags({{3, 3}}, store::FlagOp::Add, {store::kSeen, {}});
  refresh(*view);
  ViewUpdates held = view->take_updates(false);
  EXPECT_EQ(held.fetch_flags.size(), 1u);
  EXPECT_TRUE(view->has_pending_expunge());
  EXPECT_EQ(view->announced_modseq(), flagged);  // the expunge is not told: stay behind it
  ViewUpdates later = view->take_updates(true);
  EXPECT_EQ(later.vanished, std::vector<store::Uid>{2});
  EXPECT_FALSE(view->has_pending_expunge());
  EXPECT_EQ(view->announced_modseq(), view->highest_modseq());
}

TEST_F(MailboxViewTest, MessageGoneBeforeItsExistsIsNeverAnnounced) {
  add(2);
  auto view = MailboxView::load(*store_, inbox_);
  ASSERT_TRUE(view);
  add(1);
  refresh(*view);  // uid 3 is in the view, its EXISTS not sent yet
  remove({1, 3});
  refresh(*view);
  ViewUpdates u = view->take_updates(true);
  EXPECT_EQ(u.expunged, std::vector<uint32_t>{1});
  EXPECT_EQ(u.vanished, std::vector<store::Uid>{1});
  EXPECT_FALSE(u.exists);  // 2 known, 1 gone, 1 arrived and gone: "1 EXPUNGE" says it all
  EXPECT_EQ(view->exists(), 1u);
  EXPECT_TRUE(view->take_updates(true).empty());
}

// SELECT reads only the summary; what others did before the messages are loaded is told as if
// the view had been loaded at SELECT: the expunge by number, the arrival by EXISTS, the flags.
TEST_F(MailboxViewTest, LoadAfterSelectTellsWhatChangedSince) {
  add(5);
  set_flags({{1, 1}}, store::FlagOp::Add, {0, {"$Old"}});
  auto summary = store_->mailbox_summary(inbox_, true);
  ASSERT_TRUE(summary) << summary.error().describe();
  EXPECT_EQ(summary->first_unseen, 1u);
  EXPECT_EQ(summary->keywords, std::vector<std::string>{"$Old"});
  MailboxView view = MailboxView::unloaded(*summary);
  EXPECT_FALSE(view.loaded());
  EXPECT_EQ(view.exists(), 5u);
  EXPECT_EQ(view.flag_names().back(), "$Old");
  EXPECT_TRUE(view.take_updates(true).empty());

  remove({2});
  add(1);
  set_flags({{4, 4}}, store::FlagOp::Add, {store::kFlagged, {}});
  set_flags({{1, 1}}, store::FlagOp::Remove, {0, {"$Old"}});
  ASSERT_TRUE(view.load_messages(*store_));
  EXPECT_TRUE(view.loaded());
  // As SELECT saw it: 2 still there, 6 not yet.
  EXPECT_EQ(view.exists(), 5u);
  EXPECT_EQ(view.uid_at(2), 2u);
  EXPECT_FALSE(view.seq_of(6));
  EXPECT_EQ(view.uidnext(), 6u);
  EXPECT_TRUE(view.take_updates(true).empty());

  refresh(view);                 // what the session does next
  EXPECT_EQ(view.exists(), 6u);  // 2 is still there, until its EXPUNGE
  EXPECT_TRUE(view.is_expunged(2));
  EXPECT_EQ(view.uidnext(), 7u);
  ViewUpdates held = view.take_updates(false);
  EXPECT_TRUE(held.expunged.empty());
  EXPECT_EQ(held.exists, 6u);
  ASSERT_EQ(held.fetch_flags.size(), 2u);
  EXPECT_EQ(held.fetch_flags[0], (FlagUpdate{1, 1, {0, {}}, held.fetch_flags[0].modseq}));
  EXPECT_EQ(held.fetch_flags[1].seq, 4u);
  EXPECT_EQ(held.fetch_flags[1].flags.system, store::kFlagged);
  EXPECT_FALSE(held.flags);  // "$Old" stays in FLAGS as SELECT said it
  ViewUpdates u = view.take_updates(true);
  EXPECT_EQ(u.expunged, std::vector<uint32_t>{2});
  EXPECT_EQ(u.vanished, std::vector<store::Uid>{2});
  EXPECT_EQ(view.exists(), 5u);
  EXPECT_EQ(view.seq_of(6), 5u);
  EXPECT_EQ(view.announced_modseq(), view.highest_modseq());
  EXPECT_TRUE(view.take_updates(true).empty());
}

// A view of a mailbox big enough for the store to read its flag table in three ranges
// (SqliteStore::kSplitScanMin), loaded while another thread appends, flags and expunges in both
// ranges, is the store's mailbox exactly once refreshed. (The refresh re-reads whatever changed
// since SELECT, so this checks the whole path; the store's FlagTableIsOneSnapshotWhileOthersWrite
// checks that the table itself is one snapshot.)
TEST_F(MailboxViewTest, BigViewLoadedWhileOthersWriteEndsAsTheStore) {
  constexpr uint32_t kMessages = std::max(store::sqlite::SqliteStore::kSplitScanMin,
                                          3 * store::sqlite::SqliteStore::kRowsPerScan) +
                                 4000;
  auto blob = store_->blobs().put("one blob shared by every entry");
  ASSERT_TRUE(blob);
  store::NewMessage m;
  m.blob = *blob;
  for (uint32_t done = 0; done < kMessages; done += 4000) {
    ASSERT_TRUE(store_->append(inbox_, std::vector<store::NewMessage>(4000, m)));
  }
  auto summary = store_->mailbox_summary(inbox_, false);
  ASSERT_TRUE(summary);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (store::Uid i = 0; !stop.load() && i < 2000; ++i) {
      store::Uid low = 10 + i * 5;
      store::Uid high = kMessages - 10 - i * 5;
      (void)store_->store_flags(
          inbox_, store::uid_set_of({low, high}),
          {store::FlagOp::Add, {store::kSeen, {"k" + std::to_string(i % 3)}}, std::nullopt});
      (void)store_->expunge(inbox_, store::uid_set_of({low + 1, high - 1}));
      (void)store_->append(inbox_, {m});
    }
  });
  std::vector<MailboxView> views;
  for (int i = 0; i < 5; ++i) {
    MailboxView view = MailboxView::unloaded(*summary);
    ASSERT_TRUE(view.load_messages(*store_));
    views.push_back(std::move(view));
  }
  stop = true;
  writer.join();
  auto states = store_->message_states(inbox_);
  ASSERT_TRUE(states);
  for (MailboxView& view : views) {
    refresh(view);
    view.take_updates(true);
    ASSERT_EQ(view.exists(), states->size());
    for (uint32_t seq = 1; seq <= view.exists(); ++seq) {
      const store::MessageState& s = (*states)[seq - 1];
      ASSERT_EQ(view.uid_at(seq), s.uid) << seq;
      ASSERT_EQ(view.flags_at(seq), s.flags) << s.uid;
    }
  }
}

// adopt() alone: tombstones newer than SELECT go back in their place, arrivals wait for the
// refresh, and flags read after their change are still told then.
TEST(MailboxViewAdopt, TombstonesMergeInPlaceAndArrivalsWait) {
  store::MailboxSummary summary;
  summary.info.id = 1;
  summary.info.uidnext = 8;
  summary.info.highest_modseq = 30;
  summary.info.messages = 5;  // 1 3 4 6 7
  MailboxView view = MailboxView::unloaded(summary);
  store::FlagTable table;
  table.uids = {1, 4, 7, 9};
  table.system = {store::kSeen, 0, store::kSeen, 0};
  table.keyword_set = {0, 1, 0, 0};
  table.keyword_sets = {{}, {"$Work"}};
  table.changed = {{4, 31}, {9, 33}};
  table.expunged = {3, 6, 8};  // 8 arrived and went after SELECT
  table.highest_modseq = 34;
  view.adopt(std::move(table));
  EXPECT_EQ(view.exists(), 5u);
  EXPECT_EQ(view.uid_at(2), 3u);
  EXPECT_EQ(view.uid_at(4), 6u);
  EXPECT_EQ(view.uid_at(5), 7u);
  EXPECT_EQ(view.flags_at(3), (store::Flags{0, {"$Work"}}));
  EXPECT_EQ(view.uidnext(), 8u);
  EXPECT_EQ(view.highest_modseq(), 30u);
  ViewUpdates first = view.take_updates(true);  // "$Work" came into use after SELECT
  ASSERT_TRUE(first.flags);
  EXPECT_EQ(first.flags->back(), "$Work");
  EXPECT_TRUE(first.expunged.empty() && !first.exists && first.fetch_flags.empty());
  // The refresh that follows: changes since 30 (9 arrived; 3, 6 and 8 went; 4 changed).
  view.apply({{{4, 31, {0, {"$Work"}}}, {9, 33, {0, {}}}}, {3, 6, 8}, 34});
  EXPECT_TRUE(view.is_expunged(2));
  EXPECT_TRUE(view.is_expunged(4));
  EXPECT_FALSE(view.is_expunged(3));
  ViewUpdates u = view.take_updates(true);
  EXPECT_EQ(u.expunged, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(u.exists, 4u);
  EXPECT_FALSE(u.flags);
  ASSERT_EQ(u.fetch_flags.size(), 1u);  // 9 is new: its EXISTS says it
  EXPECT_EQ(u.fetch_flags[0], (FlagUpdate{2, 4, {0, {"$Work"}}, 31}));
  EXPECT_EQ(view.uid_at(4), 9u);
  EXPECT_EQ(view.highest_modseq(), 34u);
}

TEST(MailboxViewResync, ReportsChangesAndVanishedWithinKnownUids) {
  store::MailboxInfo info;
  info.id = 1;
  info.uidnext = 10;
  info.highest_modseq = 20;
  std::vector<store::MessageState> states = {
      {1, 5, {store::kSeen, {}}},
      {4, 12, {store::kFlagged, {"$Work"}}},
      {6, 9, {0, {}}},
      {9, 20, {store::kSeen, {}}},
  };
  MailboxView view = MailboxView::from_states(info, states);
  // Changes since 10: 4 and 9 changed; tombstones 2 and 7, and 6 (expunged after SELECT's
  // snapshot, so the view still has it).
  store::ChangesSince changes{{states[1], states[3]}, {2, 6, 7}, 21};
  Resync all = resync(view, changes, 10, std::nullopt);
  EXPECT_EQ(all.vanished, (std::vector<store::Uid>{2, 7}));
  ASSERT_EQ(all.changed.size(), 2u);
  EXPECT_EQ(all.changed[0], (FlagUpdate{2, 4, {store::kFlagged, {"$Work"}}, 12}));
  EXPECT_EQ(all.changed[1], (FlagUpdate{4, 9, {store::kSeen, {}}, 20}));

  Resync known = resync(view, changes, 10, store::UidSet{{1, 5}});
  EXPECT_EQ(known.vanished, std::vector<store::Uid>{2});
  ASSERT_EQ(known.changed.size(), 1u);
  EXPECT_EQ(known.changed[0].uid, 4u);

  Resync none = resync(view, {{}, {}, 20}, 20, std::nullopt);
  EXPECT_TRUE(none.vanished.empty() && none.changed.empty());
}

// SELECT's view has no messages; QRESYNC loads them only when it must name sequence numbers.
TEST(MailboxViewResync, UnloadedViewAnswersVanishedOnly) {
  store::MailboxSummary summary;
  summary.info.id = 1;
  summary.info.uidnext = 10;
  summary.info.highest_modseq = 20;
  summary.info.messages = 4;
  MailboxView view = MailboxView::unloaded(summary);
  store::ChangesSince gone_only{{}, {2, 7}, 20};
  EXPECT_FALSE(needs_messages(view, gone_only, 10, std::nullopt));
  EXPECT_EQ(resync(view, gone_only, 10, std::nullopt).vanished, (std::vector<store::Uid>{2, 7}));
  store::ChangesSince flagged{{{4, 12, {store::kSeen, {}}}}, {}, 20};
  EXPECT_TRUE(needs_messages(view, flagged, 10, std::nullopt));
  EXPECT_FALSE(needs_messages(view, flagged, 10, store::UidSet{{1, 3}}));  // not in known-uids
  store::ChangesSince later{{}, {2}, 21};  // read after a commit SELECT did not see
  EXPECT_TRUE(needs_messages(view, later, 10, std::nullopt));
}

// A million-message view loads, expunges and renumbers correctly (its speed is measured by
// bench/ big-mailbox and tests/store's ROOST_BIG_MAILBOX run, not asserted here).
TEST(MailboxViewScale, MillionMessagesLoadAndExpunge) {
  store::MailboxInfo info;
  info.id = 1;
  info.uidvalidity = 7;
  info.uidnext = 1000001;
  info.highest_modseq = 1;
  std::vector<store::MessageState> states(1000000);
  for (uint32_t i = 0; i < states.size(); ++i) {
    states[i].uid = i + 1;
    states[i].flags.system = i % 3 == 0 ? uint32_t{store::kSeen} : 0u;
    if (i % 100 == 0) states[i].flags.keywords = {"$Label" + std::to_string(i % 7)};
  }
  MailboxView view = MailboxView::from_states(info, std::move(states));
  store::ChangesSince changes;
  changes.expunged = {2, 500000, 999999};
  changes.highest_modseq = 2;
  view.apply(changes);
  ViewUpdates u = view.take_updates(true);
  EXPECT_EQ(u.expunged, (std::vector<uint32_t>{2, 499999, 999997}));
  EXPECT_EQ(view.exists(), 999997u);
  EXPECT_EQ(view.keywords().size(), 7u);
}

}  // namespace
}  // namespace roost::mailbox
