#include "base/result.h"

#include <gtest/gtest.h>

namespace roost {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorKind::Syntax, "not positive", std::to_string(v));
  return v;
}

Status chain(int v) {
  ROOST_TRY(parse_positive(v));
  return ok();
}

TEST(Result, CarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Syntax);
  EXPECT_EQ(bad.error().describe(), "syntax: not positive (-1)");
}

TEST(Result, TryPropagates) {
  EXPECT_TRUE(chain(1));
  auto st = chain(0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().text, "not positive");
}

}  // namespace
}  // namespace roost
