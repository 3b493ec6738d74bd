#include "imap/proto/sequence_set.h"

#include <gtest/gtest.h>

namespace roost::imap {
namespace {

TEST(SequenceSet, ParsesAndPrints) {
  auto s = SequenceSet::parse("1:3,5,7:*,*:9");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ranges().size(), 4u);
  EXPECT_EQ(s->to_string(), "1:3,5,7:*,*:9");
  EXPECT_TRUE(s->uses_star());
  EXPECT_TRUE(SequenceSet::parse("$")->is_saved_result());
  EXPECT_EQ(SequenceSet::parse("$")->to_string(), "$");
  EXPECT_EQ(SequenceSet::parse("4294967295")->ranges()[0].first, 4294967295u);
}

TEST(SequenceSet, RejectsMalformed) {
  for (const char* bad :
       {"", "0", "1:", ":2", "1,,2", "01", "4294967296", "1:2:3", "$,1", "a", "1,"}) {
    EXPECT_FALSE(SequenceSet::parse(bad)) << bad;
  }
  auto limited = SequenceSet::parse("1,2,3", 2);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().kind, ErrorKind::Limit);
}

TEST(SequenceSet, ResolvesStarAndMergesRanges) {
  auto s = SequenceSet::parse("5:3,*,2,9:7");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->resolve(10), (std::vector<SeqRange>{{2, 5}, {7, 10}}));
  EXPECT_EQ(format_ranges(s->resolve(10)), "2:5,7:10");
  EXPECT_TRUE(s->contains(8, 10));
  EXPECT_FALSE(s->contains(6, 10));
  EXPECT_TRUE(SequenceSet::parse("*")->resolve(0).empty());  // empty mailbox
  EXPECT_EQ(SequenceSet::parse("3:*")->resolve(1), (std::vector<SeqRange>{{1, 3}}));
  std::vector<uint32_t> seen;
  for_each_number(SequenceSet::parse("1,3:4")->resolve(9), [&](uint32_t n) { seen.push_back(n); });
  EXPECT_EQ(seen, (std::vector<uint32_t>{1, 3, 4}));
}

TEST(SequenceSet, FormatsCompactly) {
  std::vector<uint32_t> numbers{5, 1, 2, 3, 9, 10, 4294967295u};
  EXPECT_EQ(format_numbers(numbers), "1:3,5,9:10,4294967295");
  EXPECT_EQ(format_numbers({}), "");
  EXPECT_EQ(format_ranges({{4294967294u, 4294967295u}, {1, 1}}), "1,4294967294:4294967295");
}

}  // namespace
}  // namespace roost::imap
