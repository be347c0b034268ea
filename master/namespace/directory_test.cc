#include "master/namespace/directory.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace elk::master {
namespace {

std::string Nm(std::string_view prefix, long i) {
  return fmt::format("{}{}", prefix, i);
}

TEST(DirectoryTest, AddFindRemove) {
  Directory d;
  d.Add("a", 10);
  d.Add("b", 11);
  EXPECT_EQ(d.Find("a"), 10u);
  EXPECT_EQ(d.Find("b"), 11u);
  EXPECT_EQ(d.Find("c"), 0u);
  EXPECT_TRUE(d.Remove("a"));
  EXPECT_FALSE(d.Remove("a"));
  EXPECT_EQ(d.Find("a"), 0u);
  EXPECT_EQ(d.size(), 1u);
  d.Add("a", 12);
  EXPECT_EQ(d.Find("a"), 12u);
}

TEST(DirectoryTest, ManyEntriesSurviveCompaction) {
  Directory d;
  for (InodeId i = 1; i <= 5000; ++i)
    d.Add(Nm("n", i), i);
  for (InodeId i = 1; i <= 5000; i += 2)
    ASSERT_TRUE(d.Remove(Nm("n", i)));
  for (InodeId i = 1; i <= 4000; i += 2)
    ASSERT_TRUE(d.Remove(Nm("n", i + 1)));
  EXPECT_EQ(d.size(), 500u);
  for (InodeId i = 4002; i <= 5000; i += 2)
    EXPECT_EQ(d.Find(Nm("n", i)), i);
  EXPECT_EQ(d.Find("n4001"), 0u);
  EXPECT_EQ(d.Find("n2"), 0u);
}

TEST(DirectoryTest, RetargetKeepsPlace) {
  Directory d;
  d.Add("a", 1);
  d.Add("b", 2);
  ASSERT_TRUE(d.Retarget("a", 7));
  std::vector<std::string> order;
  d.ForEach([&](std::string_view n, InodeId i) { order.push_back(std::string(n) + Nm("=", i)); });
  EXPECT_EQ(order, (std::vector<std::string>{"a=7", "b=2"}));
}

// Entries present for the whole listing come back exactly once, whatever else is
// added or removed between pages - including removals that trigger compaction.
TEST(DirectoryTest, CookiesStableUnderChurn) {
  Directory d;
  for (InodeId i = 1; i <= 1000; ++i)
    d.Add(Nm("s", i), i);
  std::map<std::string, int> seen;
  uint64_t cookie = 0;
  int churn = 0;
  bool more = true;
  while (more) {
    int got = 0;
    more = false;
    d.ForEachFrom(cookie, [&](std::string_view n, InodeId, uint64_t seq) {
      ++seen[std::string(n)];
      cookie = seq + 1;
      more = true;
      return ++got < 37;
    });
    // Churn: add new names and remove some transient ones between pages.
    if (churn >= 2000) continue;
    for (int k = 0; k < 50; ++k, ++churn)
      d.Add(Nm("t", churn), 100000 + churn);
    for (int k = churn - 50; k < churn - 10; ++k)
      d.Remove(Nm("t", k));
  }
  for (InodeId i = 1; i <= 1000; ++i)
    EXPECT_EQ(seen[Nm("s", i)], 1) << i;
}

}  // namespace
}  // namespace elk::master
