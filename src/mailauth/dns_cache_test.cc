#include "mailauth/dns_cache.h"

#include <gtest/gtest.h>

namespace roost::mailauth {
namespace {

constexpr int kTxt = 16, kMx = 15;

RawDnsAnswer txt(std::string text) {
  RawDnsAnswer a;
  a.rdata.push_back(std::move(text));
  return a;
}

TEST(DnsCache, AnswersWithinTheTtlAndNotAfter) {
  FakeClock clock(1'700'000'000);
  DnsCache cache(clock);
  EXPECT_FALSE(cache.find(kTxt, "example.com"));
  cache.put(kTxt, "example.com", txt("v=spf1 -all"), 300);
  auto hit = cache.find(kTxt, "example.com");
  ASSERT_TRUE(hit);
  ASSERT_EQ(hit->rdata.size(), 1u);
  EXPECT_EQ(hit->rdata[0], "v=spf1 -all");
  EXPECT_FALSE(hit->nxdomain);
  clock.advance_seconds(299);
  EXPECT_TRUE(cache.find(kTxt, "example.com"));
  clock.advance_seconds(1);
  EXPECT_FALSE(cache.find(kTxt, "example.com"));
}

TEST(DnsCache, KeyIsTypeAndCaseInsensitiveName) {
  FakeClock clock(1'700'000'000);
  DnsCache cache(clock);
  cache.put(kTxt, "Example.COM.", txt("a"), 60);
  EXPECT_TRUE(cache.find(kTxt, "example.com"));
  EXPECT_TRUE(cache.find(kTxt, "EXAMPLE.com."));
  EXPECT_FALSE(cache.find(kMx, "example.com"));  // another type is another question
  EXPECT_FALSE(cache.find(kTxt, "www.example.com"));
}

TEST(DnsCache, ZeroTtlIsNotKeptAndLongTtlIsCapped) {
  FakeClock clock(1'700'000'000);
  DnsCache cache(clock);
  cache.put(kTxt, "zero.example", txt("a"), 0);
  EXPECT_FALSE(cache.find(kTxt, "zero.example"));
  cache.put(kTxt, "long.example", txt("a"), 86400);
  clock.advance_seconds(DnsCache::kMaxTtlSeconds - 1);
  EXPECT_TRUE(cache.find(kTxt, "long.example"));
  clock.advance_seconds(1);
  EXPECT_FALSE(cache.find(kTxt, "long.example"));
}

TEST(DnsCache, KeepsNoSuchNameAnswers) {
  FakeClock clock(1'700'000'000);
  DnsCache cache(clock);
  RawDnsAnswer none;
  none.nxdomain = true;
  cache.put(kTxt, "_dmarc.nowhere.example", none, 60);
  auto hit = cache.find(kTxt, "_dmarc.nowhere.example");
  ASSERT_TRUE(hit);
  EXPECT_TRUE(hit->nxdomain);
  EXPECT_TRUE(hit->rdata.empty());
}

TEST(DnsCache, StaysWithinItsCapacity) {
  FakeClock clock(1'700'000'000);
  DnsCache cache(clock, 3);
  cache.put(kTxt, "a.example", txt("a"), 10);
  cache.put(kTxt, "b.example", txt("b"), 100);
  cache.put(kTxt, "c.example", txt("c"), 100);
  clock.advance_seconds(20);  // a.example expired: it makes room first
  cache.put(kTxt, "d.example", txt("d"), 100);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.find(kTxt, "b.example"));
  EXPECT_TRUE(cache.find(kTxt, "d.example"));
  cache.put(kTxt, "e.example", txt("e"), 100);  // nothing expired: start over
  EXPECT_LE(cache.size(), 3u);
  EXPECT_TRUE(cache.find(kTxt, "e.example"));
  cache.put(kTxt, "e.example", txt("e2"), 100);  // replacing an entry needs no room
  EXPECT_EQ(cache.find(kTxt, "e.example")->rdata[0], "e2");
}

}  // namespace
}  // namespace roost::mailauth
