#include "auth/verified_cache.h"

#include <gtest/gtest.h>

namespace roost::auth {
namespace {

TEST(VerifiedCache, HitsOnlyTheSamePasswordAndHashWithinTheTtl) {
  VerifiedCache cache({.ttl_seconds = 60, .max_entries = 10});
  EXPECT_FALSE(cache.hit("alice", "$argon2id$h1", "pw", 1000));
  cache.remember("alice", "$argon2id$h1", "pw", 1000);
  EXPECT_TRUE(cache.hit("alice", "$argon2id$h1", "pw", 1059));
  EXPECT_FALSE(cache.hit("alice", "$argon2id$h1", "PW", 1001));       // another password
  EXPECT_FALSE(cache.hit("alice", "$argon2id$h2", "pw", 1001));       // password changed
  EXPECT_FALSE(cache.hit("bob", "$argon2id$h1", "pw", 1001));         // another account
  EXPECT_FALSE(cache.hit("alice", std::string("$argon2id$h1\0pw", 15), "", 1001));  // no splicing
  EXPECT_FALSE(cache.hit("alice", "$argon2id$h1", "pw", 1060));       // expired
  EXPECT_EQ(cache.size(), 0u);                                        // and dropped
}

TEST(VerifiedCache, ForgetAndReplace) {
  VerifiedCache cache({.ttl_seconds = 60, .max_entries = 10});
  cache.remember("alice", "h1", "old", 1000);
  cache.remember("alice", "h2", "new", 1001);  // one entry per account
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.hit("alice", "h1", "old", 1002));
  EXPECT_TRUE(cache.hit("alice", "h2", "new", 1002));
  cache.forget("alice");
  EXPECT_FALSE(cache.hit("alice", "h2", "new", 1002));
}

TEST(VerifiedCache, BoundedDropsTheEntryClosestToExpiry) {
  VerifiedCache cache({.ttl_seconds = 60, .max_entries = 2});
  cache.remember("a", "h", "p", 1000);
  cache.remember("b", "h", "p", 1010);
  cache.remember("c", "h", "p", 1020);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.hit("a", "h", "p", 1021));
  EXPECT_TRUE(cache.hit("b", "h", "p", 1021));
  EXPECT_TRUE(cache.hit("c", "h", "p", 1021));
}

TEST(VerifiedCache, ZeroTtlIsOff) {
  VerifiedCache cache({.ttl_seconds = 0, .max_entries = 10});
  cache.remember("alice", "h", "pw", 1000);
  EXPECT_FALSE(cache.hit("alice", "h", "pw", 1000));
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace roost::auth
