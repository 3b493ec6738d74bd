#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "store_fixture.h"

namespace roost::store::testing {
namespace {

using ConcurrencyTest = StoreTest;

TEST_P(ConcurrencyTest, ConcurrentWritersGetDenseUniqueUids) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::vector<MailboxId> own;
  for (int t = 0; t < kThreads; ++t) {
    auto m = store().create_mailbox(a.id, "box" + std::to_string(t));
    ASSERT_TRUE(m);
    own.push_back(m->id);
  }
  auto commits_before = GetParam().commits(store());
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads share INBOX, the other half each own a mailbox.
      MailboxId target = t % 2 == 0 ? inbox.id : own[t];
      for (int i = 0; i < kPerThread; ++i) {
        auto ref = store().blobs().put("thread " + std::to_string(t) + " msg " + std::to_string(i));
        NewMessage m;
        if (ref) m.blob = *ref;
        if (!ref || !store().append(target, {m})) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(failures.load(), 0);
  std::vector<Uid> expected(kThreads / 2 * kPerThread);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<Uid>(i + 1);
  EXPECT_EQ(uids_of(inbox.id), expected);
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, expected.size());
  expected.resize(kPerThread);
  for (int t = 1; t < kThreads; t += 2) EXPECT_EQ(uids_of(own[t]), expected);
  EXPECT_EQ(store().usage(a.id)->messages, uint64_t{kThreads * kPerThread});
  auto commits_after = GetParam().commits(store());
  std::printf("[ perf ] %d concurrent appends in %.2f s: %.0f appends/s", kThreads * kPerThread,
              secs, kThreads * kPerThread / secs);
  if (commits_before && commits_after) {
    uint64_t commits = *commits_after - *commits_before;
    std::printf(", %llu commits\n", static_cast<unsigned long long>(commits));
    // Group commit: waiting requests share one transaction.
    EXPECT_LT(commits, uint64_t{kThreads * kPerThread});
  } else {
    std::printf("\n");
  }
}

TEST_P(ConcurrencyTest, EventsArriveAfterCommit) {
  Account a = make_account();
  Account b = make_account("bob");
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::mutex mu;
  std::vector<MailboxEvent> seen;
  std::vector<ModSeq> visible;  // highest_modseq a reader saw inside the callback
  auto sub = store().subscribe(a.id, [&](const MailboxEvent& e) {
    auto mb = store().get_mailbox(e.mailbox);
    std::lock_guard lock(mu);
    seen.push_back(e);
    visible.push_back(mb ? mb->highest_modseq : 0);
  });
  auto appended = store().append(inbox.id, {message("event me")});
  ASSERT_TRUE(appended);
  append_texts(mailbox(b.id, "INBOX").id, 1);  // other account: not delivered
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, MailboxEvent::Kind::Changed);
    EXPECT_EQ(seen[0].account, a.id);
    EXPECT_EQ(seen[0].mailbox, inbox.id);
    EXPECT_EQ(seen[0].modseq, appended->messages[0].modseq);
    EXPECT_GE(visible[0], seen[0].modseq);  // the commit was visible to readers
  }
  auto created = store().create_mailbox(a.id, "new");
  ASSERT_TRUE(created);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].kind, MailboxEvent::Kind::Created);
  }
  ASSERT_TRUE(store().delete_mailbox(created->id));
  sub.reset();
  append_texts(inbox.id, 1);
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].kind, MailboxEvent::Kind::Deleted);
}

TEST_P(ConcurrencyTest, FailingRequestDoesNotPoisonBatch) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        NewMessage m = message("t" + std::to_string(t) + "/" + std::to_string(i));
        if (i % 5 == 0) m.blob.id = "not-a-blob-id";  // Syntax error inside the batch
        if (store().append(inbox.id, {m})) {
          ++good;
        } else {
          ++bad;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 40);
  EXPECT_EQ(good.load(), 160);
  EXPECT_EQ(mailbox(a.id, "INBOX").messages, 160u);
  EXPECT_EQ(uids_of(inbox.id).back(), 160u);
}

ROOST_STORE_SUITE(ConcurrencyTest);

}  // namespace
}  // namespace roost::store::testing
