#include "queue/queue_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace roost::queue {
namespace {

namespace fs = std::filesystem;

class QueueStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/queue-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(QueueStoreTest, EnqueueListUpdateRemove) {
  QueueStore q = QueueStore::open(dir_, true).value();
  auto a = q.enqueue("alice@a.test", "alice", {"bob@b.test", "carol@c.test"}, "body a\r\n", 100).value();
  auto b = q.enqueue("", "", {"dave@d.test"}, "body b\r\n", 50).value();
  EXPECT_NE(a.id, b.id);
  auto all = q.list().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, b.id);  // oldest first
  EXPECT_EQ(all[1].recipients.size(), 2u);
  EXPECT_EQ(all[1].sender, "alice@a.test");
  EXPECT_EQ(all[1].account, "alice");
  EXPECT_EQ(all[1].size, 8u);
  EXPECT_EQ(q.read_message(a.id).value(), "body a\r\n");

  a.recipients[0].state = QueuedRecipient::State::Delivered;
  a.recipients[0].reply = "mx said:\r\n250 ok";  // line breaks cannot break the file
  a.recipients[1].state = QueuedRecipient::State::Failed;
  a.attempts = 3;
  a.next_attempt = 999;
  ASSERT_TRUE(q.update(a));
  auto again = q.get(a.id).value();
  EXPECT_EQ(again.recipients[0].reply, "mx said:  250 ok");
  EXPECT_EQ(again.recipients[1].state, QueuedRecipient::State::Failed);
  EXPECT_EQ(again.attempts, 3);
  EXPECT_EQ(again.next_attempt, 999);
  EXPECT_TRUE(again.done());

  ASSERT_TRUE(q.remove(a.id));
  EXPECT_EQ(q.get(a.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(q.update(a).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(q.remove(a.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(q.get("../../etc/passwd").error().kind, ErrorKind::NotFound);
  EXPECT_EQ(q.list().value().size(), 1u);
}

TEST_F(QueueStoreTest, RepairRemovesHalfWrittenEntries) {
  QueueStore q = QueueStore::open(dir_, true).value();
  auto kept = q.enqueue("a@a.test", "a", {"b@b.test"}, "x", 1).value();
  std::ofstream(dir_ + "/20260101-000000-abcdef.msg") << "no envelope";
  std::ofstream(dir_ + "/" + kept.id + ".env.tmp.1.2") << "half";
  QueueStore::open(dir_, false).value();  // `roost queue` leaves them alone
  EXPECT_TRUE(fs::exists(dir_ + "/20260101-000000-abcdef.msg"));
  QueueStore::open(dir_, true).value();
  EXPECT_FALSE(fs::exists(dir_ + "/20260101-000000-abcdef.msg"));
  EXPECT_FALSE(fs::exists(dir_ + "/" + kept.id + ".env.tmp.1.2"));
  EXPECT_EQ(q.list().value().size(), 1u);
}

TEST(EnvelopeFormat, RoundTripAndDamage) {
  QueuedMessage m;
  m.sender = "s@x";
  m.recipients = {{"r@y", QueuedRecipient::State::Pending, "421 busy"}};
  auto parsed = parse_envelope("id1", format_envelope(m)).value();
  EXPECT_EQ(parsed.recipients[0].reply, "421 busy");
  EXPECT_EQ(parse_envelope("id1", "roost-queue 1\nsender x\n").error().kind, ErrorKind::Corrupt);
  EXPECT_EQ(parse_envelope("id1", "garbage\n").error().kind, ErrorKind::Corrupt);
  EXPECT_EQ(parse_envelope("id1", format_envelope(m).substr(0, 20)).error().kind, ErrorKind::Corrupt);
}

}  // namespace
}  // namespace roost::queue
