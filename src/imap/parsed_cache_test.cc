#include "imap/parsed_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace roost::imap {
namespace {

std::shared_ptr<const mime::ParsedMessage> parsed_with_subject(const std::string& subject) {
  auto m = std::make_shared<mime::ParsedMessage>();
  m->subject = subject;
  return m;
}

TEST(ParsedCache, KeepsWhatFitsAndDropsTheLeastRecentlyUsed) {
  ParsedCache cache(100);
  cache.add("a", parsed_with_subject("A"), 40);
  cache.add("b", parsed_with_subject("B"), 40);
  ASSERT_TRUE(cache.find("a"));  // a is now the most recently used
  EXPECT_EQ(cache.find("a")->subject, "A");
  cache.add("c", parsed_with_subject("C"), 40);  // over 100: b goes
  EXPECT_FALSE(cache.find("b"));
  EXPECT_TRUE(cache.find("a"));
  EXPECT_TRUE(cache.find("c"));
  EXPECT_EQ(cache.size(), 80u);
  cache.add("a", parsed_with_subject("other"), 40);  // the same blob: already there, kept
  EXPECT_EQ(cache.find("a")->subject, "A");
  EXPECT_EQ(cache.size(), 80u);
  cache.add("huge", parsed_with_subject("H"), 101);  // alone over the budget: not kept
  EXPECT_FALSE(cache.find("huge"));
  EXPECT_TRUE(cache.find("a") && cache.find("c"));
}

TEST(ParsedCache, AnEntryTakenStaysValidAfterEviction) {
  ParsedCache cache(10);
  cache.add("a", parsed_with_subject("A"), 10);
  auto held = cache.find("a");
  cache.add("b", parsed_with_subject("B"), 10);
  EXPECT_FALSE(cache.find("a"));
  EXPECT_EQ(held->subject, "A");
}

TEST(ParsedCache, ManyThreadsAddAndFind) {
  ParsedCache cache(64 * 20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string id = std::to_string((i * 7 + t) % 100);
        if (auto p = cache.find(id)) {
          EXPECT_EQ(p->subject, id);
        } else {
          cache.add(id, parsed_with_subject(id), 20);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(cache.size(), 64u * 20);
}

}  // namespace
}  // namespace roost::imap
