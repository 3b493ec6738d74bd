// StoreTest: a GoogleTest fixture with a throwaway embedded store (temp dir, no fsync) holding
// one account "alice" and its INBOX, shared by the mailbox tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace roost::mailbox {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "roost-mailbox-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = store::open_sqlite_store({dir_, /*durable=*/false});
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::move(*opened);
    auto account = store_->create_account("alice", "");
    ASSERT_TRUE(account) << account.error().describe();
    account_ = account->id;
    auto inbox = store_->find_mailbox(account_, "INBOX");
    ASSERT_TRUE(inbox);
    inbox_ = inbox->id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  store::AccountId account_ = 0;
  store::MailboxId inbox_ = 0;
};

}  // namespace roost::mailbox
