#include <gtest/gtest.h>

#include <map>

#include "auth/account_name.h"
#include "auth/directory.h"
#include "auth/login_throttle.h"
#include "auth/password_hash.h"

namespace roost::auth {
namespace {

// --- password hashes ---

TEST(PasswordHash, RoundTrip) {
  auto h = hash_password("correct horse", HashOptions::for_tests());
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password("correct horse", *h));
  EXPECT_FALSE(verify_password("correct horsE", *h));
  EXPECT_FALSE(verify_password("", *h));
}

TEST(PasswordHash, SaltedAndDefaultsAreStrong) {
  auto a = hash_password("pw", HashOptions::for_tests());
  auto b = hash_password("pw", HashOptions::for_tests());
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  HashOptions defaults;
  EXPECT_GE(defaults.memory_kib, 19u * 1024);
  EXPECT_GE(defaults.passes, 2u);
}

TEST(PasswordHash, RejectsBadInput) {
  EXPECT_FALSE(hash_password("", HashOptions::for_tests()));
  EXPECT_FALSE(hash_password(std::string(kMaxPasswordBytes + 1, 'x'), HashOptions::for_tests()));
  EXPECT_FALSE(verify_password("pw", ""));
  EXPECT_FALSE(verify_password("pw", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
  EXPECT_FALSE(verify_password("pw", "$argon2id$garbage"));
}

TEST(PasswordHash, RandomPassword) {
  auto p = random_password(24);
  EXPECT_EQ(p.size(), 24u);
  EXPECT_EQ(p.find_first_of("0O1lI"), std::string::npos);
  EXPECT_NE(random_password(), random_password());
}

// --- account names ---

TEST(AccountName, Normalizes) {
  EXPECT_EQ(*normalize_account_name("  Alice "), "alice");
  EXPECT_EQ(*normalize_account_name("Bob.Smith+tag@Example.ORG"), "bob.smith+tag@example.org");
  EXPECT_EQ(*normalize_account_name("a_b-c"), "a_b-c");
}

TEST(AccountName, Rejects) {
  for (const char* bad : {"", "   ", "a b", "a@@b", "a@b@c", "@b", "a@", ".a", "a.", "a..b",
                          "a@-b.org", "a@b..org", "ä", "a/b", "a\"b", "a@b_c.org"}) {
    auto r = normalize_account_name(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().kind, ErrorKind::Syntax);
    }
  }
  EXPECT_FALSE(normalize_account_name(std::string(65, 'a')));
  EXPECT_TRUE(normalize_account_name(std::string(64, 'a')));
  EXPECT_FALSE(normalize_account_name(std::string(255, 'a')));
}

// --- throttle ---

TEST(LoginThrottle, DelaysDoubleThenCap) {
  FakeClock clock(1000);
  LoginThrottle t(
      clock,
      {.free_failures = 2, .max_delay_seconds = 8, .forget_after_seconds = 60, .max_entries = 100});
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 0);
  t.record_failure("1.2.3.4", "alice");
  t.record_failure("1.2.3.4", "alice");
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 0);  // two free failures
  t.record_failure("1.2.3.4", "alice");
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 1);
  t.record_failure("1.2.3.4", "alice");
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 2);
  t.record_failure("1.2.3.4", "alice");
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 4);
  for (int i = 0; i < 40; ++i) t.record_failure("1.2.3.4", "alice");
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 8);
  clock.advance_seconds(3);
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 5);
  // Another IP or another account is not affected.
  EXPECT_EQ(t.wait_seconds("5.6.7.8", "alice"), 0);
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "bob"), 0);
  clock.advance_seconds(60);
  EXPECT_EQ(t.wait_seconds("1.2.3.4", "alice"), 0);  // forgotten
  EXPECT_EQ(t.size(), 0u);
}

TEST(LoginThrottle, SuccessResets) {
  FakeClock clock(1000);
  LoginThrottle t(
      clock,
      {.free_failures = 0, .max_delay_seconds = 8, .forget_after_seconds = 60, .max_entries = 100});
  t.record_failure("ip", "a");
  EXPECT_EQ(t.wait_seconds("ip", "a"), 1);
  t.record_success("ip", "a");
  EXPECT_EQ(t.wait_seconds("ip", "a"), 0);
}

TEST(LoginThrottle, BoundedMemory) {
  FakeClock clock(1000);
  LoginThrottle t(
      clock,
      {.free_failures = 0, .max_delay_seconds = 8, .forget_after_seconds = 60, .max_entries = 10});
  for (int i = 0; i < 50; ++i) {
    clock.advance_seconds(1);
    t.record_failure("ip" + std::to_string(i), "a");
  }
  EXPECT_LE(t.size(), 10u);
  EXPECT_GT(t.wait_seconds("ip49", "a"), 0);  // the newest survive
}

// --- directory over a fake store ---

class NoBlobs final : public store::BlobStore {
 public:
  Result<std::unique_ptr<store::BlobWriter>> begin() override { return unused(); }
  Result<std::shared_ptr<const MappedFile>> read(const std::string&) override { return unused(); }
  static Error unused() { return make_error(ErrorKind::Internal, "not in this fake"); }
};

// Only the account calls are real: that is all Directory uses.
class AccountStore final : public store::Store {
 public:
  store::BlobStore& blobs() override { return blobs_; }
  Result<store::Account> create_account(std::string_view name, std::string_view hash) override {
    if (by_name_.count(std::string(name))) return make_error(ErrorKind::Exists, "exists");
    store::Account a{next_id_++, std::string(name), std::string(hash), 1, ""};
    by_name_[a.name] = a;
    return a;
  }
  Result<store::Account> find_account(std::string_view name) override {
    if (fail_next_) {
      fail_next_ = false;
      return make_error(ErrorKind::Io, "disk on fire");
    }
    auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) return make_error(ErrorKind::NotFound, "no such account");
    return it->second;
  }
  Result<store::Account> get_account(store::AccountId) override { return NoBlobs::unused(); }
  Result<std::vector<store::Account>> list_accounts() override { return NoBlobs::unused(); }
  Status set_password_hash(store::AccountId id, std::string_view hash) override {
    for (auto& [n, a] : by_name_) {
      if (a.id == id) a.password_hash = hash;
    }
    return ok();
  }
  Status set_scram_credentials(store::AccountId id, std::string_view credentials) override {
    for (auto& [n, a] : by_name_) {
      if (a.id == id) a.scram_credentials = credentials;
    }
    return ok();
  }
  Status delete_account(store::AccountId id) override {
    std::erase_if(by_name_, [id](const auto& kv) { return kv.second.id == id; });
    return ok();
  }
  Result<store::Usage> usage(store::AccountId) override { return NoBlobs::unused(); }
  Result<std::vector<store::MailboxInfo>> list_mailboxes(store::AccountId) override {
    return NoBlobs::unused();
  }
  Result<store::MailboxInfo> find_mailbox(store::AccountId, std::string_view) override {
    return NoBlobs::unused();
  }
  Result<store::MailboxInfo> get_mailbox(store::MailboxId) override { return NoBlobs::unused(); }
  Result<store::MailboxInfo> create_mailbox(store::AccountId, std::string_view,
                                            store::SpecialUse) override {
    return NoBlobs::unused();
  }
  Status delete_mailbox(store::MailboxId) override { return NoBlobs::unused(); }
  Status rename_mailbox(store::MailboxId, std::string_view) override { return NoBlobs::unused(); }
  Status set_subscribed(store::MailboxId, bool) override { return NoBlobs::unused(); }
  Status set_role(store::MailboxId, store::SpecialUse) override { return NoBlobs::unused(); }
  Result<store::AppendResult> append(store::MailboxId, std::vector<store::NewMessage>) override {
    return NoBlobs::unused();
  }
  Result<std::vector<store::MessageEntry>> list_messages(store::MailboxId,
                                                         const store::UidSet&) override {
    return NoBlobs::unused();
  }
  Result<std::vector<store::MessageState>> message_states(store::MailboxId) override {
    return NoBlobs::unused();
  }
  Result<store::MailboxSummary> mailbox_summary(store::MailboxId, bool) override {
    return NoBlobs::unused();
  }
  Result<store::FlagTable> flag_table(store::MailboxId, store::ModSeq) override {
    return NoBlobs::unused();
  }
  Result<std::string> parsed_of(const std::string&) override { return NoBlobs::unused(); }
  Result<std::vector<std::string>> parsed_of_many(const std::vector<std::string>&) override {
    return NoBlobs::unused();
  }
  Result<std::vector<std::pair<store::Uid, std::string>>> headers(store::MailboxId,
                                                                  const store::UidSet&) override {
    return NoBlobs::unused();
  }
  Result<std::optional<store::Uid>> find_by_blob(store::MailboxId, const std::string&) override {
    return NoBlobs::unused();
  }
  Result<store::StoreFlagsResult> store_flags(store::MailboxId, const store::UidSet&,
                                              const store::FlagUpdate&) override {
    return NoBlobs::unused();
  }
  Result<store::CopyResult> copy(store::MailboxId, const store::UidSet&,
                                 store::MailboxId) override {
    return NoBlobs::unused();
  }
  Result<store::CopyResult> move(store::MailboxId, const store::UidSet&,
                                 store::MailboxId) override {
    return NoBlobs::unused();
  }
  Result<store::ExpungeResult> expunge(store::MailboxId, const store::UidSet&) override {
    return NoBlobs::unused();
  }
  Result<store::ChangesSince> changes_since(store::MailboxId, store::ModSeq) override {
    return NoBlobs::unused();
  }
  std::unique_ptr<store::Subscription> subscribe(
      store::AccountId, std::function<void(const store::MailboxEvent&)>) override {
    return nullptr;
  }
  Result<std::string> repair() override { return std::string(); }
  Result<std::optional<std::string>> account_setting(store::AccountId, std::string_view) override {
    return NoBlobs::unused();
  }
  Status set_account_setting(store::AccountId, std::string_view, std::string_view) override {
    return NoBlobs::unused();
  }
  Status hide_from_pop3(store::AccountId, const std::vector<std::string>&, int64_t) override {
    return NoBlobs::unused();
  }
  Result<std::vector<store::Pop3Hidden>> pop3_hidden(store::AccountId) override {
    return NoBlobs::unused();
  }
  Result<uint64_t> prune_pop3_hidden(store::AccountId) override { return NoBlobs::unused(); }
  Result<std::vector<std::optional<uint64_t>>> crlf_sizes(
      const std::vector<std::string>&) override {
    return NoBlobs::unused();
  }
  Status set_crlf_sizes(const std::vector<std::pair<std::string, uint64_t>>&) override {
    return NoBlobs::unused();
  }

  bool fail_next_ = false;

 private:
  NoBlobs blobs_;
  std::map<std::string, store::Account> by_name_;
  store::AccountId next_id_ = 1;
};

class DirectoryTest : public ::testing::Test {
 protected:
  DirectoryTest()
      : clock_(1000),
        directory_(store_, clock_,
                   {HashOptions::for_tests(),
                    {.free_failures = 2,
                     .max_delay_seconds = 60,
                     .forget_after_seconds = 600,
                     .max_entries = 100},
                    {}}) {}
  AccountStore store_;
  FakeClock clock_;
  Directory directory_;
};

TEST_F(DirectoryTest, CreateAndAuthenticate) {
  auto a = directory_.create_account(" Alice ", "s3cret-pw");
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->name, "alice");
  auto ok = directory_.authenticate("ALICE", "s3cret-pw", "10.0.0.1");
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(ok->id, a->id);
  EXPECT_EQ(directory_.create_account("alice", "x").error().kind, ErrorKind::Exists);
  EXPECT_EQ(directory_.create_account("bad name", "x").error().kind, ErrorKind::Syntax);
  EXPECT_EQ(directory_.create_account("bob", "").error().kind, ErrorKind::Syntax);
}

TEST_F(DirectoryTest, WrongPasswordAndUnknownAccountLookAlike) {
  ASSERT_TRUE(directory_.create_account("alice", "s3cret-pw"));
  auto wrong = directory_.authenticate("alice", "nope", "10.0.0.1");
  auto unknown = directory_.authenticate("mallory", "nope", "10.0.0.1");
  auto invalid = directory_.authenticate("not valid!", "nope", "10.0.0.1");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(wrong.error().kind, ErrorKind::NoPerm);
  EXPECT_EQ(wrong.error().text, unknown.error().text);
  EXPECT_EQ(wrong.error().text, invalid.error().text);
}

TEST_F(DirectoryTest, ThrottlesPerIpAndAccount) {
  ASSERT_TRUE(directory_.create_account("alice", "s3cret-pw"));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(directory_.authenticate("alice", "x", "10.0.0.1"));
  // Even the right password is refused while throttled: guessing cannot continue.
  auto throttled = directory_.authenticate("alice", "s3cret-pw", "10.0.0.1");
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().kind, ErrorKind::Limit);
  EXPECT_NE(throttled.error().text.find("try again in 1 seconds"), std::string::npos);
  EXPECT_TRUE(directory_.authenticate("alice", "s3cret-pw", "10.0.0.2"));  // other IP
  clock_.advance_seconds(1);
  EXPECT_TRUE(directory_.authenticate("alice", "s3cret-pw", "10.0.0.1"));
  // Success cleared the count.
  EXPECT_FALSE(directory_.authenticate("alice", "x", "10.0.0.1"));
  EXPECT_EQ(directory_.authenticate("alice", "x", "10.0.0.1").error().kind, ErrorKind::NoPerm);
}

TEST_F(DirectoryTest, StoreFailureIsNotCountedAsAuthFailure) {
  ASSERT_TRUE(directory_.create_account("alice", "s3cret-pw"));
  store_.fail_next_ = true;
  auto r = directory_.authenticate("alice", "s3cret-pw", "10.0.0.1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Io);
}

TEST_F(DirectoryTest, SetPasswordAndDelete) {
  ASSERT_TRUE(directory_.create_account("alice", "old-password"));
  ASSERT_TRUE(directory_.set_password("Alice", "new-password"));
  EXPECT_FALSE(directory_.authenticate("alice", "old-password", "ip"));
  EXPECT_TRUE(directory_.authenticate("alice", "new-password", "ip"));
  EXPECT_EQ(directory_.set_password("nobody", "x").error().kind, ErrorKind::NotFound);
  ASSERT_TRUE(directory_.delete_account("alice"));
  EXPECT_EQ(directory_.find_account("alice").error().kind, ErrorKind::NotFound);
}

TEST_F(DirectoryTest, CachedPasswordStopsWorkingWhenAnotherProcessChangesIt) {
  auto a = directory_.create_account("alice", "old-password");
  ASSERT_TRUE(a);
  ASSERT_TRUE(directory_.authenticate("alice", "old-password", "ip"));  // now cached
  ASSERT_TRUE(directory_.authenticate("alice", "old-password", "ip"));
  // `roost account passwd` in another process writes the store, not this Directory.
  auto hash = hash_password("new-password", HashOptions::for_tests());
  ASSERT_TRUE(hash);
  ASSERT_TRUE(store_.set_password_hash(a->id, *hash));
  EXPECT_EQ(directory_.authenticate("alice", "old-password", "ip").error().kind, ErrorKind::NoPerm);
  EXPECT_TRUE(directory_.authenticate("alice", "new-password", "ip"));
}

TEST_F(DirectoryTest, CachedPasswordExpiresAndWrongPasswordsAreStillThrottled) {
  ASSERT_TRUE(directory_.create_account("alice", "s3cret-pw"));
  ASSERT_TRUE(directory_.authenticate("alice", "s3cret-pw", "10.0.0.1"));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(directory_.authenticate("alice", "x", "10.0.0.1"));
  // A cached password does not get past the throttle either.
  EXPECT_EQ(directory_.authenticate("alice", "s3cret-pw", "10.0.0.1").error().kind,
            ErrorKind::Limit);
  clock_.advance_seconds(7200);  // past the default TTL: verified the slow way again
  EXPECT_TRUE(directory_.authenticate("alice", "s3cret-pw", "10.0.0.1"));
}

// --- SCRAM credentials ---

TEST_F(DirectoryTest, ScramCredentialsFollowThePassword) {
  auto a = directory_.create_account("alice", "pencil");
  ASSERT_TRUE(a);
  auto stored = parse_scram(a->scram_credentials);
  ASSERT_TRUE(stored) << a->scram_credentials;
  EXPECT_EQ(*stored, derive_scram("pencil", stored->salt, stored->iterations));
  EXPECT_GE(stored->iterations, kScramMinIterations);
  auto lookup = directory_.scram_lookup("Alice", "ip");
  ASSERT_TRUE(lookup);
  ASSERT_TRUE(lookup->found);
  EXPECT_EQ(lookup->credentials, *stored);
  ASSERT_TRUE(directory_.set_password("alice", "pen"));
  auto changed = directory_.scram_lookup("alice", "ip");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->credentials,
            derive_scram("pen", changed->credentials.salt, changed->credentials.iterations));
  EXPECT_TRUE(directory_.scram_outcome(*changed, "ip", true));
}

TEST_F(DirectoryTest, ScramUnknownOrLegacyAccountsFailLikeWrongProofs) {
  ASSERT_TRUE(directory_.create_account("alice", "pencil"));
  ASSERT_TRUE(store_.set_scram_credentials(1, ""));  // an account from before SCRAM
  auto legacy = directory_.scram_lookup("alice", "ip");
  auto unknown = directory_.scram_lookup("mallory", "ip");
  auto again = directory_.scram_lookup("mallory", "ip");
  ASSERT_TRUE(legacy && unknown && again);
  EXPECT_FALSE(legacy->found);
  EXPECT_FALSE(unknown->found);
  EXPECT_EQ(unknown->credentials.salt, again->credentials.salt);  // stable: no probing by salt
  EXPECT_EQ(directory_.scram_outcome(*legacy, "ip", true).error().kind, ErrorKind::NoPerm);
  // Failures count towards the same throttle as passwords.
  EXPECT_FALSE(directory_.scram_outcome(*legacy, "ip", false));
  EXPECT_FALSE(directory_.authenticate("alice", "x", "ip"));
  EXPECT_FALSE(directory_.authenticate("alice", "x", "ip"));
  EXPECT_EQ(directory_.scram_lookup("alice", "ip").error().kind, ErrorKind::Limit);
  EXPECT_EQ(directory_.authenticate("alice", "pencil", "ip").error().kind, ErrorKind::Limit);
}

}  // namespace
}  // namespace roost::auth
