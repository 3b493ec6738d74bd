#include "auth/sasl_server.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <filesystem>

#include "auth/scram.h"
#include "base/clock.h"
#include "store/store.h"

namespace roost::auth {
namespace {

namespace asio = boost::asio;

// A client that answers each challenge from a script and records what it was asked.
struct ScriptedClient {
  std::deque<Result<std::string>> answers;
  std::vector<std::string> challenges;

  SaslChallenge challenge() {
    return [this](std::string_view base64) -> asio::awaitable<Result<std::string>> {
      challenges.emplace_back(base64);
      if (answers.empty()) co_return make_error(ErrorKind::Io, "connection closed");
      Result<std::string> next = std::move(answers.front());
      answers.pop_front();
      co_return next;
    };
  }
};

class SaslServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "roost-sasl-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = store::open_sqlite_store({dir_, /*durable=*/false});
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::move(*opened);
    directory_ = std::make_unique<Directory>(
        *store_, clock_, DirectoryOptions{HashOptions::for_tests(), {}, {}});
    ASSERT_TRUE(directory_->create_account("alice", "s3cret"));
    ASSERT_TRUE(directory_->create_account("bob", "other"));
  }
  void TearDown() override {
    directory_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  SaslOutcome run(std::string mechanism, std::optional<std::string> initial,
                  ScriptedClient& client) {
    SaslOutcome outcome;
    asio::io_context io;
    SaslRequest request{std::move(mechanism), std::move(initial), "192.0.2.7"};
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          outcome = co_await run_sasl(request, *directory_, blocking_, client.challenge());
        },
        asio::detached);
    io.run();
    return outcome;
  }

  static std::string plain(std::string_view authz, std::string_view user, std::string_view pw) {
    std::string m(authz);
    m += '\0';
    m += user;
    m += '\0';
    m += pw;
    return m;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_{1000};
  std::unique_ptr<Directory> directory_;
  net::BlockingExecutor blocking_{2};
};

TEST_F(SaslServerTest, PlainWithInitialResponseLogsIn) {
  ScriptedClient client;
  auto out = run("PLAIN", plain("", "alice", "s3cret"), client);
  ASSERT_TRUE(out.account);
  EXPECT_EQ(out.account->name, "alice");
  EXPECT_TRUE(client.challenges.empty());
}

TEST_F(SaslServerTest, PlainWithoutInitialResponseSendsAnEmptyChallenge) {
  ScriptedClient client;
  client.answers.push_back(plain("alice", "alice", "s3cret"));  // authzid = authcid is fine
  auto out = run("PLAIN", std::nullopt, client);
  ASSERT_TRUE(out.account);
  EXPECT_EQ(client.challenges, std::vector<std::string>{""});
}

TEST_F(SaslServerTest, PlainFailures) {
  ScriptedClient a;
  auto wrong = run("PLAIN", plain("", "alice", "nope"), a);
  EXPECT_FALSE(wrong.account);
  EXPECT_EQ(wrong.failure.step, SaslStep::Login);
  EXPECT_EQ(wrong.failure.error.kind, ErrorKind::NoPerm);
  EXPECT_EQ(wrong.failure.user, "alice");

  ScriptedClient b;
  auto other = run("PLAIN", plain("bob", "alice", "s3cret"), b);
  EXPECT_EQ(other.failure.step, SaslStep::AuthzRefused);

  ScriptedClient c;
  auto malformed = run("PLAIN", std::string("alice\0s3cret", 12), c);
  EXPECT_EQ(malformed.failure.step, SaslStep::Malformed);
  auto extra = run("PLAIN", plain("", "alice", "s3cret") + std::string(1, '\0'), c);
  EXPECT_EQ(extra.failure.step, SaslStep::Malformed);

  ScriptedClient gone;  // no answers: the connection closes at the first challenge
  auto closed = run("PLAIN", std::nullopt, gone);
  EXPECT_EQ(closed.failure.step, SaslStep::Exchange);
  EXPECT_EQ(closed.failure.error.kind, ErrorKind::Io);
}

TEST_F(SaslServerTest, LoginAsksUserThenPassword) {
  ScriptedClient client;
  client.answers.push_back(std::string("alice"));
  client.answers.push_back(std::string("s3cret"));
  auto out = run("LOGIN", std::nullopt, client);
  ASSERT_TRUE(out.account);
  EXPECT_EQ(client.challenges, (std::vector<std::string>{"VXNlcm5hbWU6", "UGFzc3dvcmQ6"}));

  ScriptedClient initial;  // the initial response is the user name
  initial.answers.push_back(std::string("s3cret"));
  auto out2 = run("LOGIN", std::string("alice"), initial);
  ASSERT_TRUE(out2.account);
  EXPECT_EQ(initial.challenges, std::vector<std::string>{"UGFzc3dvcmQ6"});

  ScriptedClient cancelled;
  cancelled.answers.push_back(make_error(ErrorKind::Syntax, "AUTHENTICATE cancelled"));
  auto out3 = run("LOGIN", std::nullopt, cancelled);
  EXPECT_EQ(out3.failure.step, SaslStep::Exchange);
  EXPECT_EQ(out3.failure.error.text, "AUTHENTICATE cancelled");
}

TEST_F(SaslServerTest, ScramRejectsBadClientFirstAndOtherAuthzid) {
  ScriptedClient a;
  EXPECT_EQ(run("SCRAM-SHA-256", std::string("garbage"), a).failure.step, SaslStep::Malformed);
  ScriptedClient b;  // channel binding asked for: not offered (no -PLUS)
  EXPECT_EQ(run("SCRAM-SHA-256", std::string("p=tls-unique,,n=alice,r=abc"), b).failure.step,
            SaslStep::Unsupported);
  ScriptedClient c;
  EXPECT_EQ(run("SCRAM-SHA-256", std::string("n,a=bob,n=alice,r=abc"), c).failure.step,
            SaslStep::AuthzRefused);
}

TEST_F(SaslServerTest, ScramUnknownUserFailsAfterTheExchangeLikeAWrongPassword) {
  // The server answers an unknown user with a made-up server-first (no account enumeration),
  // so the failure only shows after client-final.
  ScriptedClient client;
  client.answers.push_back(std::string("c=biws,r=nonce,p=AAAA"));
  auto out = run("SCRAM-SHA-256", std::string("n,,n=nobody,r=abc"), client);
  EXPECT_FALSE(out.account);
  EXPECT_TRUE(out.failure.step == SaslStep::Malformed || out.failure.step == SaslStep::Login);
  EXPECT_EQ(client.challenges.size(), 1u);
}

TEST_F(SaslServerTest, UnknownMechanism) {
  ScriptedClient client;
  auto out = run("CRAM-MD5", std::nullopt, client);
  EXPECT_EQ(out.failure.step, SaslStep::Unsupported);
  EXPECT_TRUE(is_sasl_mechanism("SCRAM-SHA-256"));
  EXPECT_FALSE(is_sasl_mechanism("scram-sha-256"));
}

}  // namespace
}  // namespace roost::auth
