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

TEST(EnvelopeFormat, KeepsTheDsnRequest) {
  QueuedMessage m;
  m.sender = "s@x";
  m.ret = Return::Full;
  m.envid = "id with spaces\r\n+=";
  m.delay_reported = true;
  m.recipients = {{"r@y", QueuedRecipient::State::Delivered, "250 ok"}, {"t@y"}};
  m.recipients[0].notify = kNotifySuccess | kNotifyDelay;
  m.recipients[0].orcpt = "rfc822;R@y";
  m.recipients[0].reported = true;
  m.recipients[1].notify = kNotifyNever;
  auto parsed = parse_envelope("id1", format_envelope(m)).value();
  EXPECT_EQ(parsed.ret, Return::Full);
  EXPECT_EQ(parsed.envid, m.envid);
  EXPECT_TRUE(parsed.delay_reported);
  ASSERT_EQ(parsed.recipients.size(), 2u);
  EXPECT_EQ(parsed.recipients[0].notify, kNotifySuccess | kNotifyDelay);
  EXPECT_EQ(parsed.recipients[0].orcpt, "rfc822;R@y");
  EXPECT_TRUE(parsed.recipients[0].reported);
  EXPECT_EQ(parsed.recipients[0].reply, "250 ok");
  EXPECT_EQ(parsed.recipients[1].notify, kNotifyNever);
  EXPECT_FALSE(parsed.recipients[1].reported);
  // An envelope written before DSN support reads as "nothing asked".
  auto old = parse_envelope("id2", "roost-queue 1\nsender s@x\nrcpt pending r@y\n").value();
  EXPECT_EQ(old.ret, Return::Unspecified);
  EXPECT_EQ(old.recipients[0].notify, 0);
  EXPECT_EQ(parse_envelope("id3", "roost-queue 1\nrcpt pending r@y\nnotify SOMETIMES\n").error().kind,
            ErrorKind::Corrupt);
}

TEST(Notify, DefaultsToFailureAndDelay) {
  EXPECT_TRUE(wants_report(0, kNotifyFailure));
  EXPECT_TRUE(wants_report(0, kNotifyDelay));
  EXPECT_FALSE(wants_report(0, kNotifySuccess));
  EXPECT_FALSE(wants_report(kNotifyNever, kNotifyFailure));
  EXPECT_TRUE(wants_report(kNotifySuccess, kNotifySuccess));
  EXPECT_FALSE(wants_report(kNotifySuccess, kNotifyFailure));
  EXPECT_EQ(notify_keywords(kNotifyDelay | kNotifySuccess), "SUCCESS,DELAY");
  EXPECT_EQ(notify_keywords(kNotifyNever), "NEVER");
}

}  // namespace
}  // namespace roost::queue
