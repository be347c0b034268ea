// The ring of recent changelog records the master keeps for metaloggers.
#include "master/server/metalogger_link.h"

#include <gtest/gtest.h>

namespace elk::master {
namespace {

TEST(ChangelogRingTest, HoldsContiguousRecordsAndResumesInside) {
  ChangelogRing ring(10, 100, 1 << 20);
  EXPECT_TRUE(ring.CanResumeAfter(10));  // up to date with nothing held
  EXPECT_FALSE(ring.CanResumeAfter(9));
  EXPECT_FALSE(ring.CanResumeAfter(11));
  for (uint64_t v = 11; v <= 20; ++v)
    ring.Add(v, "line " + std::to_string(v));
  EXPECT_EQ(ring.first(), 11u);
  EXPECT_EQ(ring.last(), 20u);
  EXPECT_TRUE(ring.CanResumeAfter(10));
  EXPECT_TRUE(ring.CanResumeAfter(20));
  EXPECT_FALSE(ring.CanResumeAfter(21));
  ASSERT_NE(ring.Find(15), nullptr);
  EXPECT_EQ(*ring.Find(15), "line 15");
  EXPECT_EQ(ring.Find(10), nullptr);
  EXPECT_EQ(ring.Find(21), nullptr);
}

TEST(ChangelogRingTest, EvictsByCountAndBytes) {
  ChangelogRing by_count(0, 5, 1 << 20);
  for (uint64_t v = 1; v <= 12; ++v)
    by_count.Add(v, "x");
  EXPECT_EQ(by_count.size(), 5u);
  EXPECT_EQ(by_count.first(), 8u);
  EXPECT_FALSE(by_count.CanResumeAfter(6));
  EXPECT_TRUE(by_count.CanResumeAfter(7));

  ChangelogRing by_bytes(0, 1000, 100);
  for (uint64_t v = 1; v <= 50; ++v)
    by_bytes.Add(v, std::string(10, 'y'));
  EXPECT_LE(by_bytes.bytes(), 100u);
  EXPECT_EQ(by_bytes.last(), 50u);
  EXPECT_EQ(by_bytes.first(), 41u);
}

TEST(ChangelogRingTest, AJumpRestartsTheRing) {
  ChangelogRing ring(0, 100, 1 << 20);
  ring.Add(1, "a");
  ring.Add(5, "e");
  EXPECT_EQ(ring.first(), 5u);
  EXPECT_EQ(ring.last(), 5u);
  EXPECT_FALSE(ring.CanResumeAfter(1));
}

}  // namespace
}  // namespace elk::master
