#include "store_fixture.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cctype>

#include "store/sqlite/sqlite_store.h"

namespace roost::store::testing {

std::vector<StoreFactory> store_factories() {
  StoreFactory sqlite;
  sqlite.name = "Sqlite";
  sqlite.open = [](const std::string& dir) { return open_sqlite_store({dir, /*durable=*/false}); };
  sqlite.commits = [](Store& s) -> std::optional<uint64_t> {
    auto* impl = dynamic_cast<sqlite::SqliteStore*>(&s);
    if (impl == nullptr) return std::nullopt;
    return impl->write_stats().commits;
  };
  sqlite.blob_path = [](const std::string& dir,
                        const std::string& id) -> std::optional<std::string> {
    // One level; stores from before it hold their older files two levels down.
    std::string path = dir + "/blobs/" + id.substr(0, 2) + "/" + id;
    std::string legacy = dir + "/blobs/" + id.substr(0, 2) + "/" + id.substr(2, 2) + "/" + id;
    return !std::filesystem::exists(path) && std::filesystem::exists(legacy) ? legacy : path;
  };
  sqlite.small_blobs_in_index = true;
  // The same backend with every blob in a file (how stores written before version 6 hold them).
  StoreFactory files = sqlite;
  files.name = "SqliteFiles";
  files.small_blobs_in_index = false;
  files.open = [](const std::string& dir) {
    return open_sqlite_store({.data_dir = dir, .durable = false, .inline_blob_max = 0});
  };
  return {sqlite, files};
}

std::string factory_name(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

void StoreTest::SetUp() {
  static std::atomic<int> counter{0};
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string leaf = std::string("roost-store-") + std::to_string(::getpid()) + "-" +
                     std::to_string(counter.fetch_add(1)) + "-" + test->name();
  for (char& c : leaf) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  dir_ = (std::filesystem::temp_directory_path() / leaf).string();
  std::filesystem::remove_all(dir_);
  auto opened = GetParam().open(dir_);
  ASSERT_TRUE(opened) << opened.error().describe();
  store_ = std::move(*opened);
}

void StoreTest::TearDown() {
  store_.reset();
  std::filesystem::remove_all(dir_);
}

void StoreTest::reopen() {
  store_.reset();
  auto opened = GetParam().open(dir_);
  ASSERT_TRUE(opened) << opened.error().describe();
  store_ = std::move(*opened);
}

Account StoreTest::make_account(const std::string& name) {
  auto account = store_->create_account(name, "$argon2id$x");
  EXPECT_TRUE(account) << account.error().describe();
  return account ? *account : Account{};
}

MailboxInfo StoreTest::mailbox(AccountId account, const std::string& name) {
  auto mb = store_->find_mailbox(account, name);
  EXPECT_TRUE(mb) << name << ": " << mb.error().describe();
  return mb ? *mb : MailboxInfo{};
}

NewMessage StoreTest::message(const std::string& bytes, uint32_t flags,
                              std::vector<std::string> keywords) {
  auto ref = store_->blobs().put(bytes);
  EXPECT_TRUE(ref) << ref.error().describe();
  NewMessage m;
  if (ref) m.blob = *ref;
  m.parsed = "parsed:" + bytes.substr(0, 16);
  m.flags.system = flags;
  m.flags.keywords = std::move(keywords);
  m.internal_date = 1700000000;
  m.internal_date_tz = 60;
  return m;
}

std::vector<Uid> StoreTest::append_texts(MailboxId mailbox, int n, const std::string& prefix) {
  std::vector<NewMessage> batch;
  for (int i = 0; i < n; ++i) {
    batch.push_back(message("Subject: " + prefix + std::to_string(i) + "\r\n\r\nbody\r\n"));
  }
  auto result = store_->append(mailbox, std::move(batch));
  EXPECT_TRUE(result) << result.error().describe();
  std::vector<Uid> uids;
  if (result) {
    for (const auto& a : result->messages) uids.push_back(a.uid);
  }
  return uids;
}

std::vector<Uid> StoreTest::uids_of(MailboxId mailbox) {
  auto states = store_->message_states(mailbox);
  EXPECT_TRUE(states) << states.error().describe();
  std::vector<Uid> uids;
  if (states) {
    for (const auto& s : *states) uids.push_back(s.uid);
  }
  return uids;
}

size_t StoreTest::stored_blobs() {
  size_t n = 0;
  std::error_code ec;
  auto root = std::filesystem::path(dir_) / "blobs";
  if (std::filesystem::exists(root)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(root, ec)) {
      if (e.is_regular_file()) ++n;
    }
  }
  std::string index = dir_ + "/index.sqlite";
  sqlite3* db = nullptr;
  if (std::filesystem::exists(index) &&
      sqlite3_open_v2(index.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM inline_blobs", -1, &stmt, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n += static_cast<size_t>(sqlite3_column_int64(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace roost::store::testing
