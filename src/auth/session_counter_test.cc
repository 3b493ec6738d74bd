#include "auth/session_counter.h"

#include <gtest/gtest.h>

#include <vector>

namespace roost::auth {
namespace {

TEST(SessionCounter, LimitsPerAccountAndGivesSlotsBack) {
  SessionCounter counter(2);
  auto a1 = counter.acquire(1);
  auto a2 = counter.acquire(1);
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(counter.acquire(1));  // a third session of account 1
  EXPECT_TRUE(counter.acquire(2));   // other accounts are not affected
  EXPECT_EQ(counter.open(1), 2u);
  a1.reset();
  EXPECT_EQ(counter.open(1), 1u);
  auto a3 = counter.acquire(1);
  EXPECT_TRUE(a3);
  std::optional<SessionCounter::Lease> moved = std::move(a3);
  a3.reset();  // a moved-from lease gives nothing back
  EXPECT_EQ(counter.open(1), 2u);
}

TEST(SessionCounter, ZeroMeansUnlimited) {
  SessionCounter counter(0);
  std::vector<SessionCounter::Lease> leases;
  for (int i = 0; i < 1000; ++i) {
    auto lease = counter.acquire(7);
    ASSERT_TRUE(lease);
    leases.push_back(std::move(*lease));
  }
  EXPECT_EQ(counter.open(7), 1000u);
  leases.clear();
  EXPECT_EQ(counter.open(7), 0u);
}

}  // namespace
}  // namespace roost::auth
