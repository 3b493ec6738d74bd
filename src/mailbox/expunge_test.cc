#include "mailbox/expunge.h"

#include <gtest/gtest.h>

#include "mailbox/ingest.h"
#include "mailbox/store_test_fixture.h"

namespace roost::mailbox {
namespace {

using ExpungeTest = StoreTest;

TEST(FormatUids, Ranges) {
  EXPECT_EQ(format_uids({}), "");
  EXPECT_EQ(format_uids({3, 1, 2, 7}), "1:3,7");
}

TEST_F(ExpungeTest, RemovesOnlyExistingUids) {
  store::Store& store = *store_;
  Ingest ingest(store, {});
  for (int i = 0; i < 3; ++i) {
    std::string m = "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n";
    ASSERT_TRUE(ingest.ingest({inbox_, "test"}, {m, {}, 0, 0}));
  }
  auto removed = expunge(store, inbox_, store::uid_set_of({2, 9}), "test");
  ASSERT_TRUE(removed) << removed.error().describe();
  EXPECT_EQ(removed->expunged, std::vector<store::Uid>{2});
  EXPECT_GT(removed->modseq, 0u);
  auto left = store.list_messages(inbox_, store::all_uids());
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[0].uid, 1u);
  EXPECT_EQ((*left)[1].uid, 3u);

  auto none = expunge(store, inbox_, store::uid_set_of({2}), "test");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->expunged.empty());

  auto missing = expunge(store, inbox_ + 1000, store::all_uids(), "test");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

TEST_F(ExpungeTest, MoveMovesAndMapsUids) {
  store::Store& store = *store_;
  auto archive = store.find_mailbox(account_, "Archive");
  ASSERT_TRUE(archive);
  Ingest ingest(store, {});
  for (int i = 0; i < 3; ++i) {
    std::string m = "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n";
    ASSERT_TRUE(ingest.ingest({inbox_, "test"}, {m, {}, 0, 0}));
  }
  auto moved = move(store, inbox_, store::uid_set_of({1, 3, 7}), archive->id, "test");
  ASSERT_TRUE(moved) << moved.error().describe();
  using Pair = std::pair<store::Uid, store::Uid>;
  EXPECT_EQ(moved->mapping, (std::vector<Pair>{{1, 1}, {3, 2}}));
  EXPECT_EQ(store.get_mailbox(inbox_)->messages, 1u);
  EXPECT_EQ(store.get_mailbox(archive->id)->messages, 2u);

  auto missing = move(store, inbox_, store::all_uids(), archive->id + 1000, "test");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

}  // namespace
}  // namespace roost::mailbox
