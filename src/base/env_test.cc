#include "base/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace roost {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("roost-env-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(Env::real().make_dirs(dir_.string()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(EnvTest, AtomicWriteThenRead) {
  std::string path = (dir_ / "a.txt").string();
  ASSERT_TRUE(Env::real().write_file_atomic(path, "hello"));
  auto read = Env::real().read_file(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, "hello");
  ASSERT_TRUE(Env::real().write_file_atomic(path, "again"));
  EXPECT_EQ(*Env::real().read_file(path), "again");
  auto names = Env::real().list_dir(dir_.string());
  ASSERT_TRUE(names);
  EXPECT_EQ(names->size(), 1u);  // no temp file left behind
}

TEST_F(EnvTest, CreateRefusesExisting) {
  std::string path = (dir_ / "b").string();
  ASSERT_TRUE(Env::real().create_file(path));
  auto again = Env::real().create_file(path);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::Exists);
}

TEST_F(EnvTest, MissingFileIsNotFound) {
  auto r = Env::real().map_file((dir_ / "nope").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::NotFound);
}

TEST_F(EnvTest, EmptyFileMapsToEmptyView) {
  std::string path = (dir_ / "empty").string();
  ASSERT_TRUE(Env::real().write_file_atomic(path, ""));
  auto m = Env::real().map_file(path);
  ASSERT_TRUE(m);
  EXPECT_TRUE((*m)->bytes().empty());
}

}  // namespace
}  // namespace roost
