// The Store suite: every backend runs the same tests through a factory
// (SQLite now; PostgreSQL adds a factory to store_factories()).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace roost::store::testing {

struct StoreFactory {
  std::string name;
  // Opens (or reopens) a store whose files live under `dir`.
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
  // Transactions committed so far, when the backend counts them (group commit check).
  std::function<std::optional<uint64_t>(Store&)> commits;
  // Where blob files live, when the backend keeps them as files.
  std::function<std::optional<std::string>(const std::string& dir, const std::string& id)>
      blob_path;
  // Small blobs are kept in the index, not in files of their own.
  bool small_blobs_in_index = false;
};

std::vector<StoreFactory> store_factories();
inline void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

class StoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  void reopen();
  const std::string& dir() const { return dir_; }

  Account make_account(const std::string& name = "alice");
  MailboxInfo mailbox(AccountId account, const std::string& name);
  // Writes `bytes` as a blob and returns a NewMessage for it.
  NewMessage message(const std::string& bytes, uint32_t flags = 0,
                     std::vector<std::string> keywords = {});
  std::vector<Uid> append_texts(MailboxId mailbox, int n, const std::string& prefix = "msg");
  std::vector<Uid> uids_of(MailboxId mailbox);
  // Stored blob copies: files under dir/blobs plus small blobs kept in the index.
  size_t stored_blobs();

  std::string dir_;
  std::unique_ptr<Store> store_;
};

std::string factory_name(const ::testing::TestParamInfo<StoreFactory>& info);

}  // namespace roost::store::testing

#define ROOST_STORE_SUITE(suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(All, suite,                                                    \
                           ::testing::ValuesIn(roost::store::testing::store_factories()), \
                           roost::store::testing::factory_name)
