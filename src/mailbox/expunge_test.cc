#include "mailbox/expunge.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "mailbox/ingest.h"

namespace roost::mailbox {
namespace {

TEST(FormatUids, Ranges) {
  EXPECT_EQ(format_uids({}), "");
  EXPECT_EQ(format_uids({3, 1, 2, 7}), "1:3,7");
}

TEST(Expunge, RemovesOnlyExistingUids) {
  std::string dir = (std::filesystem::temp_directory_path() / "roost-expunge-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    auto opened = store::open_sqlite_store({dir, false});
    ASSERT_TRUE(opened) << opened.error().describe();
    store::Store& store = **opened;
    auto account = store.create_account("bob", "");
    ASSERT_TRUE(account);
    auto inbox = store.find_mailbox(account->id, "INBOX");
    ASSERT_TRUE(inbox);
    Ingest ingest(store, {});
    for (int i = 0; i < 3; ++i) {
      std::string m = "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n";
      ASSERT_TRUE(ingest.ingest({inbox->id, "test"}, {m, {}, 0, 0}));
    }
    auto removed = expunge(store, inbox->id, store::uid_set_of({2, 9}), "test");
    ASSERT_TRUE(removed) << removed.error().describe();
    EXPECT_EQ(removed->expunged, std::vector<store::Uid>{2});
    EXPECT_GT(removed->modseq, 0u);
    auto left = store.list_messages(inbox->id, store::all_uids());
    ASSERT_TRUE(left);
    ASSERT_EQ(left->size(), 2u);
    EXPECT_EQ((*left)[0].uid, 1u);
    EXPECT_EQ((*left)[1].uid, 3u);

    auto none = expunge(store, inbox->id, store::uid_set_of({2}), "test");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->expunged.empty());

    auto missing = expunge(store, inbox->id + 1000, store::all_uids(), "test");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
  }
  std::filesystem::remove_all(dir);
}

TEST(Move, MovesAndMapsUids) {
  std::string dir = (std::filesystem::temp_directory_path() / "roost-move-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    auto opened = store::open_sqlite_store({dir, false});
    ASSERT_TRUE(opened) << opened.error().describe();
    store::Store& store = **opened;
    auto account = store.create_account("carol", "");
    ASSERT_TRUE(account);
    auto inbox = store.find_mailbox(account->id, "INBOX");
    auto archive = store.find_mailbox(account->id, "Archive");
    ASSERT_TRUE(inbox && archive);
    Ingest ingest(store, {});
    for (int i = 0; i < 3; ++i) {
      std::string m = "Subject: " + std::to_string(i) + "\r\n\r\nx\r\n";
      ASSERT_TRUE(ingest.ingest({inbox->id, "test"}, {m, {}, 0, 0}));
    }
    auto moved = move(store, inbox->id, store::uid_set_of({1, 3, 7}), archive->id, "test");
    ASSERT_TRUE(moved) << moved.error().describe();
    using Pair = std::pair<store::Uid, store::Uid>;
    EXPECT_EQ(moved->mapping, (std::vector<Pair>{{1, 1}, {3, 2}}));
    EXPECT_EQ(store.get_mailbox(inbox->id)->messages, 1u);
    EXPECT_EQ(store.get_mailbox(archive->id)->messages, 2u);

    auto missing = move(store, inbox->id, store::all_uids(), archive->id + 1000, "test");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace roost::mailbox
