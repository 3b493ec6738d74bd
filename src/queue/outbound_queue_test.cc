#include "queue/outbound_queue.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "mailauth/static_resolver.h"
#include "queue/fake_smtp_server.h"

namespace roost::queue {
namespace {

namespace fs = std::filesystem;

class OutboundQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/outbound-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    dns_.add_mx("b.test", 10, "mx.b.test");
    dns_.add_address("mx.b.test", "127.0.0.1");
    dns_.add_mx("gone.test", 10, "mx.gone.test");  // no address: never reachable
  }
  void TearDown() override {
    if (queue_) queue_->stop();
    guard_.reset();
    if (thread_.joinable()) thread_.join();
    queue_.reset();
    fs::remove_all(dir_);
  }

  void start(OutboundOptions options = {}) {
    options.hostname = "mx.a.test";
    options.remote_port = server_.port();
    queue_ = std::make_unique<OutboundQueue>(
        io_, blocking_, QueueStore::open(dir_, true).value(), dns_, options,
        [this](const std::string& account, std::string message) -> Status {
          std::lock_guard lock(mu_);
          bounces_.emplace_back(account, std::move(message));
          return ok();
        },
        clock_);
    queue_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  template <class Pred>
  bool eventually(Pred pred, int seconds = 10) {
    for (int i = 0; i < seconds * 20; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
  }
  size_t queued() { return QueueStore::open(dir_, false).value().list().value().size(); }
  size_t bounce_count() {
    std::lock_guard lock(mu_);
    return bounces_.size();
  }

  std::string dir_;
  testing::FakeSmtpServer server_;
  mailauth::StaticResolver dns_;
  FakeClock clock_{1795000000};
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{io_.get_executor()};
  net::BlockingExecutor blocking_{2};
  std::unique_ptr<OutboundQueue> queue_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> bounces_;
};

TEST_F(OutboundQueueTest, DeliversAndForgets) {
  start();
  ASSERT_TRUE(queue_->enqueue("alice@a.test", "alice", {"bob@b.test"}, "Subject: hi\r\n\r\nx\r\n"));
  ASSERT_TRUE(eventually([&] { return server_.transactions().size() == 1; }));
  EXPECT_TRUE(eventually([&] { return queued() == 0; }));
  EXPECT_EQ(bounce_count(), 0u);
}

TEST_F(OutboundQueueTest, RefusedRecipientBouncesToTheSendersInbox) {
  server_.rcpt_reply = [](const std::string& r) {
    return r == "nobody@b.test" ? std::string("550 5.1.1 no such user") : std::string("250 ok");
  };
  start();
  ASSERT_TRUE(queue_->enqueue("alice@a.test", "alice", {"bob@b.test", "nobody@b.test"},
                              "Subject: hi\r\n\r\nx\r\n"));
  ASSERT_TRUE(eventually([&] { return bounce_count() == 1; }));
  std::lock_guard lock(mu_);
  EXPECT_EQ(bounces_[0].first, "alice");
  EXPECT_NE(bounces_[0].second.find("Final-Recipient: rfc822; nobody@b.test"), std::string::npos);
  EXPECT_NE(bounces_[0].second.find("Status: 5.1.1"), std::string::npos);
  EXPECT_EQ(bounces_[0].second.find("rfc822; bob@b.test"), std::string::npos);
  EXPECT_EQ(server_.transactions().size(), 1u);
}

TEST_F(OutboundQueueTest, RetriesWithBackoffThenGivesUp) {
  OutboundOptions options;
  options.retry_base_seconds = 60;
  options.retry_max_seconds = 600;
  options.max_age_seconds = 3600;
  start(options);
  auto m = queue_->enqueue("alice@a.test", "alice", {"carol@gone.test"}, "Subject: x\r\n\r\ny\r\n").value();
  auto store = QueueStore::open(dir_, false).value();
  ASSERT_TRUE(eventually([&] { return store.get(m.id).value().attempts == 1; }));
  auto after_one = store.get(m.id).value();
  EXPECT_EQ(after_one.next_attempt, 1795000000 + 60);
  EXPECT_NE(after_one.recipients[0].reply.find("has no address"), std::string::npos)
      << after_one.recipients[0].reply;
  clock_.advance_seconds(60);
  ASSERT_TRUE(eventually([&] { return store.get(m.id).value().attempts == 2; }));
  EXPECT_EQ(store.get(m.id).value().next_attempt, 1795000060 + 120);
  EXPECT_EQ(bounce_count(), 0u);
  clock_.advance_seconds(3600);  // past max_age: one last attempt, then the bounce
  ASSERT_TRUE(eventually([&] { return bounce_count() == 1; }));
  EXPECT_TRUE(eventually([&] { return queued() == 0; }));
  std::lock_guard lock(mu_);
  EXPECT_NE(bounces_[0].second.find("Status: 4.4.7"), std::string::npos);
  EXPECT_NE(bounces_[0].second.find("for 1 hour"), std::string::npos);
}

TEST_F(OutboundQueueTest, QueuedMailSurvivesARestart) {
  {
    auto store = QueueStore::open(dir_, true).value();
    store.enqueue("alice@a.test", "alice", {"bob@b.test"}, "Subject: left\r\n\r\n", 1795000000).value();
  }
  start();
  ASSERT_TRUE(eventually([&] { return server_.transactions().size() == 1; }));
  EXPECT_TRUE(eventually([&] { return queued() == 0; }));
}

TEST_F(OutboundQueueTest, SuccessRequestedFromAServerWithoutDsnGetsARelayedReport) {
  start();
  QueuedMessage draft;
  draft.sender = "alice@a.test";
  draft.account = "alice";
  draft.envid = "env-7";
  draft.recipients.emplace_back("bob@b.test");
  draft.recipients.back().notify = kNotifySuccess | kNotifyFailure;
  draft.recipients.back().orcpt = "rfc822;bob@b.test";
  draft.recipients.emplace_back("bea@b.test");  // no NOTIFY: no success report
  ASSERT_TRUE(queue_->enqueue(draft, "Subject: hi\r\n\r\nx\r\n"));
  ASSERT_TRUE(eventually([&] { return bounce_count() == 1 && queued() == 0; }));
  std::lock_guard lock(mu_);
  const std::string& report = bounces_[0].second;
  EXPECT_EQ(bounces_[0].first, "alice");
  EXPECT_NE(report.find("Subject: Successful Mail Delivery Report"), std::string::npos);
  EXPECT_NE(report.find("Original-Envelope-Id: env-7\r\n"), std::string::npos);
  EXPECT_NE(report.find("Original-Recipient: rfc822;bob@b.test\r\nFinal-Recipient: rfc822; "
                        "bob@b.test\r\nAction: relayed\r\nStatus: 2.0.0\r\n"),
            std::string::npos);
  EXPECT_EQ(report.find("Final-Recipient: rfc822; bea@b.test"), std::string::npos);
}

TEST_F(OutboundQueueTest, NoReportsWhenTheNextServerOffersDsnOrNotifyIsNever) {
  server_.ehlo_extensions = "250-fake\r\n250 DSN";
  server_.rcpt_reply = [](const std::string& r) {
    return r == "nobody@b.test" ? std::string("550 5.1.1 no such user") : std::string("250 ok");
  };
  start();
  QueuedMessage draft;
  draft.sender = "alice@a.test";
  draft.account = "alice";
  draft.recipients.emplace_back("bob@b.test");
  draft.recipients.back().notify = kNotifySuccess;
  draft.recipients.emplace_back("nobody@b.test");
  draft.recipients.back().notify = kNotifyNever;
  ASSERT_TRUE(queue_->enqueue(draft, "Subject: hi\r\n\r\nx\r\n"));
  ASSERT_TRUE(eventually([&] { return queued() == 0; }));
  ASSERT_EQ(server_.transactions().size(), 1u);
  EXPECT_EQ(server_.transactions()[0].rcpt_lines[0], "RCPT TO:<bob@b.test> NOTIFY=SUCCESS");
  EXPECT_EQ(bounce_count(), 0u);
}

TEST_F(OutboundQueueTest, OneDelayedReportAfterTheWarningTime) {
  OutboundOptions options;
  options.retry_base_seconds = 60;
  options.retry_max_seconds = 60;
  options.delay_warning_seconds = 120;
  options.max_age_seconds = 3600;
  start(options);
  QueuedMessage draft;
  draft.sender = "alice@a.test";
  draft.account = "alice";
  draft.recipients.emplace_back("carol@gone.test");  // NOTIFY not given: DELAY is the default
  draft.recipients.emplace_back("dave@gone.test");
  draft.recipients.back().notify = kNotifyFailure;  // asked for failures only
  auto m = queue_->enqueue(draft, "Subject: x\r\n\r\ny\r\n").value();
  auto store = QueueStore::open(dir_, false).value();
  ASSERT_TRUE(eventually([&] { return store.get(m.id).value().attempts == 1; }));
  EXPECT_EQ(bounce_count(), 0u);
  for (int attempt = 2; attempt <= 4; ++attempt) {
    clock_.advance_seconds(60);
    ASSERT_TRUE(eventually([&] { return store.get(m.id).value().attempts == attempt; }));
  }
  EXPECT_TRUE(store.get(m.id).value().delay_reported);
  ASSERT_EQ(bounce_count(), 1u);
  std::lock_guard lock(mu_);
  const std::string& report = bounces_[0].second;
  EXPECT_NE(report.find("Subject: Delayed Mail (still being retried)"), std::string::npos);
  EXPECT_NE(report.find("Final-Recipient: rfc822; carol@gone.test\r\nAction: delayed\r\n"
                        "Status: 4.0.0\r\n"),
            std::string::npos);
  EXPECT_NE(report.find("Will-Retry-Until: "), std::string::npos);
  EXPECT_EQ(report.find("dave@gone.test"), std::string::npos);
}

TEST(Backoff, DoublesUpToTheCap) {
  OutboundOptions o;
  o.retry_base_seconds = 60;
  o.retry_max_seconds = 1000;
  EXPECT_EQ(OutboundQueue::backoff(o, 1), 60);
  EXPECT_EQ(OutboundQueue::backoff(o, 2), 120);
  EXPECT_EQ(OutboundQueue::backoff(o, 4), 480);
  EXPECT_EQ(OutboundQueue::backoff(o, 5), 960);
  EXPECT_EQ(OutboundQueue::backoff(o, 6), 1000);
  EXPECT_EQ(OutboundQueue::backoff(o, 500), 1000);
}

}  // namespace
}  // namespace roost::queue
