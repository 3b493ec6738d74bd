#include "mailbox/mailbox_view.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "mailbox/expunge.h"
#include "mailbox/ingest.h"
#include "mailbox/store_test_fixture.h"

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
  EXPECT_EQ(view->first_unseen(), 1u);
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

TEST(MailboxViewResync, ReportsChangesAndVanishedWithinKnownUids) {
  std::vector<store::MessageState> states = {
      {1, 5, {store::kSeen, {}}},
      {4, 12, {store::kFlagged, {"$Work"}}},
      {6, 9, {0, {}}},
      {9, 20, {store::kSeen, {}}},
  };
  // Tombstones newer than 10: 2 and 7, and 6 (expunged after the states were read).
  Resync all = resync(states, {2, 7, 6}, 10, std::nullopt);
  EXPECT_EQ(all.vanished, (std::vector<store::Uid>{2, 7}));
  ASSERT_EQ(all.changed.size(), 2u);
  EXPECT_EQ(all.changed[0], (FlagUpdate{2, 4, {store::kFlagged, {"$Work"}}, 12}));
  EXPECT_EQ(all.changed[1], (FlagUpdate{4, 9, {store::kSeen, {}}, 20}));

  Resync known = resync(states, {2, 7}, 10, store::UidSet{{1, 5}});
  EXPECT_EQ(known.vanished, std::vector<store::Uid>{2});
  ASSERT_EQ(known.changed.size(), 1u);
  EXPECT_EQ(known.changed[0].uid, 4u);

  Resync none = resync(states, {}, 20, std::nullopt);
  EXPECT_TRUE(none.vanished.empty() && none.changed.empty());
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
