#include "common/locks/range_set.h"

#include <gtest/gtest.h>

namespace elk::locks {
namespace {

constexpr LockType kSh = LockType::kShared;
constexpr LockType kEx = LockType::kExclusive;
constexpr LockType kUn = LockType::kUnlock;

std::vector<LockRange> R(std::initializer_list<LockRange> l) {
  return l;
}

TEST(RangeSetTest, UnlockInTheMiddleSplits) {
  RangeSet s;
  s.Apply(0, 99, kEx);
  s.Apply(10, 19, kUn);
  EXPECT_EQ(s.ranges(), R({{0, 9, kEx}, {20, 99, kEx}}));
}

TEST(RangeSetTest, ChangingTypeOfPartSplitsInThree) {
  RangeSet s;
  s.Apply(0, 99, kSh);
  s.Apply(40, 59, kEx);
  EXPECT_EQ(s.ranges(), R({{0, 39, kSh}, {40, 59, kEx}, {60, 99, kSh}}));
  s.Apply(40, 59, kSh);  // back to one range
  EXPECT_EQ(s.ranges(), R({{0, 99, kSh}}));
}

TEST(RangeSetTest, TouchingRangesOfOneTypeMerge) {
  RangeSet s;
  s.Apply(10, 19, kEx);
  s.Apply(30, 39, kEx);
  s.Apply(20, 29, kEx);
  EXPECT_EQ(s.ranges(), R({{10, 39, kEx}}));
  s.Apply(40, 49, kSh);  // touching, another type: kept apart
  EXPECT_EQ(s.ranges(), R({{10, 39, kEx}, {40, 49, kSh}}));
}

TEST(RangeSetTest, OverlappingLockReplacesWhatItCovers) {
  RangeSet s;
  s.Apply(0, 9, kSh);
  s.Apply(20, 29, kSh);
  s.Apply(5, 24, kEx);
  EXPECT_EQ(s.ranges(), R({{0, 4, kSh}, {5, 24, kEx}, {25, 29, kSh}}));
}

TEST(RangeSetTest, ToTheEndAndUnlockAll) {
  RangeSet s;
  s.Apply(100, kLockEnd, kEx);
  s.Apply(0, UINT64_MAX, kSh);
  EXPECT_EQ(s.ranges(), R({{0, UINT64_MAX, kSh}}));
  s.Apply(0, UINT64_MAX, kUn);
  EXPECT_TRUE(s.empty());
}

TEST(RangeSetTest, CoversNeedsEveryByteWithTheType) {
  RangeSet s;
  s.Apply(0, 9, kEx);
  s.Apply(10, 19, kEx);
  s.Apply(20, 29, kSh);
  EXPECT_TRUE(s.Covers(0, 19, kEx));
  EXPECT_TRUE(s.Covers(5, 5, kEx));
  EXPECT_FALSE(s.Covers(0, 20, kEx));
  EXPECT_FALSE(s.Covers(25, 35, kSh));
  s.Apply(5, 5, kUn);
  EXPECT_FALSE(s.Covers(0, 9, kEx));
}

TEST(RangeSetTest, FirstConflictFindsOnlyIncompatibleOverlaps) {
  RangeSet s;
  s.Apply(0, 9, kSh);
  s.Apply(20, 29, kEx);
  EXPECT_EQ(s.FirstConflict(0, 9, kSh), nullptr);
  ASSERT_NE(s.FirstConflict(5, 25, kSh), nullptr);
  EXPECT_EQ(s.FirstConflict(5, 25, kSh)->start, 20u);
  ASSERT_NE(s.FirstConflict(5, 25, kEx), nullptr);
  EXPECT_EQ(s.FirstConflict(5, 25, kEx)->start, 0u);
  EXPECT_EQ(s.FirstConflict(10, 19, kEx), nullptr);
}

}  // namespace
}  // namespace elk::locks
