#include "base/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

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
  (*m)->release(0, 100);  // nothing mapped: a no-op
}

// Small files are read into memory, larger ones mapped: both give the exact bytes.
TEST_F(EnvTest, SmallAndLargeFilesGiveTheirBytes) {
  for (size_t size : {size_t{1}, size_t{4096}, size_t{128 * 1024 - 1}, size_t{128 * 1024},
                      size_t{300 * 1024}}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131) % 251);
    std::string path = (dir_ / ("f" + std::to_string(size))).string();
    ASSERT_TRUE(Env::real().write_file_atomic(path, data));
    auto m = Env::real().map_file(path);
    ASSERT_TRUE(m) << size;
    EXPECT_TRUE((*m)->bytes() == data) << size;
    (*m)->release(0, size);  // a buffer ignores the hint; a mapping drops pages
    EXPECT_TRUE((*m)->bytes() == data) << size;
  }
}

// Resident file-backed pages of this process (RssFile in /proc/self/status), in bytes.
uint64_t resident_file_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssFile:", 0) == 0) return std::stoull(line.substr(8)) * 1024;
  }
  return 0;
}

TEST_F(EnvTest, ReleaseDropsResidentPagesAndKeepsTheBytes) {
  constexpr size_t kSize = 32 << 20;
  std::string data(kSize, '\0');
  for (size_t i = 0; i < kSize; ++i) data[i] = static_cast<char>('a' + (i * 7919) % 26);
  std::string path = (dir_ / "big").string();
  ASSERT_TRUE(Env::real().write_file_atomic(path, data));
  auto m = Env::real().map_file(path);
  ASSERT_TRUE(m);
  const MappedFile& file = **m;
  uint64_t before = resident_file_bytes();
  ASSERT_TRUE(file.bytes() == data);  // touches every page
  uint64_t touched = resident_file_bytes();
  ASSERT_GE(touched, before + kSize * 3 / 4);
  file.release(0, kSize);
  EXPECT_LE(resident_file_bytes(), before + kSize / 8);
  // An unaligned range keeps the partial pages at its edges; the bytes read back the same.
  file.release(100, kSize / 2);
  EXPECT_TRUE(file.bytes() == data);
  file.release(kSize - 1, 10);  // past the end: clamped
  EXPECT_EQ(file.bytes().substr(kSize - 5), data.substr(kSize - 5));
}

}  // namespace
}  // namespace roost
