#include "master/namespace/chunk_list.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace elk::master {
namespace {

TEST(ChunkListTest, OneChunkStaysInline) {
  ChunkList list;
  EXPECT_TRUE(list.empty());
  list.Append(42);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0], 42u);
  EXPECT_EQ(list.HeapBytes(), 0u);
}

TEST(ChunkListTest, GrowsShrinksAndFillsHoles) {
  ChunkList list;
  list.Append(1);
  list.Resize(5);
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[0], 1u);
  for (uint32_t i = 1; i < 5; ++i)
    EXPECT_EQ(list[i], 0u);
  list.Set(4, 9);
  list.Resize(2);
  list.Resize(5);
  EXPECT_EQ(list[4], 0u) << "regrown slots are holes, not old ids";
  list.Set(3, 7);
  list.Resize(3);
  list.Set(4, 8);
  EXPECT_EQ(list[3], 0u) << "a slot skipped by Set is a hole, not an old id";
  list.Resize(0);
  EXPECT_TRUE(list.empty());
}

TEST(ChunkListTest, MoveTransfersHeapBlock) {
  ChunkList a;
  for (ChunkId i = 1; i <= 10; ++i)
    a.Append(i);
  ChunkList b(std::move(a));
  EXPECT_EQ(b.size(), 10u);
  EXPECT_EQ(b[9], 10u);
  ChunkList c;
  c.Append(7);
  c = std::move(b);
  EXPECT_EQ(c.size(), 10u);
  EXPECT_EQ(c[0], 1u);
}

TEST(ChunkListTest, OneChunkFarAwayCostsBytes) {
  ChunkList list;
  list.Append(1);
  list.Set(kMaxChunkIndex, 2);
  EXPECT_TRUE(list.is_sparse());
  EXPECT_EQ(list.size(), kMaxChunkIndex + 1);
  EXPECT_LT(list.HeapBytes(), 128u);
  EXPECT_EQ(list[0], 1u);
  EXPECT_EQ(list[kMaxChunkIndex], 2u);
  EXPECT_EQ(list[12345], 0u);
  EXPECT_EQ(list.CountPresent(), 2u);
  ChunkList moved(std::move(list));
  EXPECT_EQ(moved[kMaxChunkIndex], 2u);
  moved.Resize(kMaxChunkIndex + 1u);  // growing a sparse list costs nothing either
  EXPECT_LT(moved.HeapBytes(), 128u);
}

TEST(ChunkListTest, DoublingOffsetsStaySmall) {
  ChunkList list;
  for (uint32_t i = 1; i != 0 && i <= kMaxChunkIndex; i *= 2)
    list.Set(i, i);
  EXPECT_EQ(list.CountPresent(), 31u);
  EXPECT_LT(list.HeapBytes(), 31 * sizeof(ChunkList::Entry) * 2 + 64);
}

TEST(ChunkListTest, FillingASparseListMakesItDenseAgain) {
  ChunkList list;
  list.Set(999, 1000);
  EXPECT_TRUE(list.is_sparse());
  for (uint32_t i = 0; i < 999; ++i)
    list.Set(i, i + 1);
  EXPECT_FALSE(list.is_sparse());
  for (uint32_t i = 0; i < 1000; ++i)
    ASSERT_EQ(list[i], i + 1);
  EXPECT_EQ(list.HeapBytes(), 1000 * sizeof(ChunkId));
}

TEST(ChunkListTest, SequentialAppendStaysDense) {
  ChunkList list;
  for (uint32_t i = 0; i < 5000; ++i)
    list.Append(i + 1);
  EXPECT_FALSE(list.is_sparse());
  EXPECT_EQ(list.CountPresent(), 5000u);
}

TEST(ChunkListTest, PunchReturnsWhatWasThereInBothForms) {
  for (uint32_t far : {20u, 1u << 30}) {
    ChunkList list;
    for (uint32_t i = 0; i < 10; ++i)
      list.Set(i, i + 100);
    list.Set(far, 7);
    auto gone = list.Punch(5, uint64_t{far} + 10);
    EXPECT_EQ(gone, (std::vector<ChunkId>{105, 106, 107, 108, 109, 7})) << far;
    EXPECT_EQ(list.size(), far + 1) << "punching keeps the slots";
    EXPECT_EQ(list[far], 0u);
    EXPECT_EQ(list[4], 104u);
    EXPECT_EQ(list.CountPresent(), 5u);
  }
}

TEST(ChunkListTest, ShrinkingASparseListDropsWhatIsPast) {
  ChunkList list;
  list.Set(3, 1);
  list.Set(1u << 20, 2);
  list.Set(1u << 29, 3);
  list.Resize((1u << 20) + 1);
  EXPECT_EQ(list.CountPresent(), 2u);
  EXPECT_EQ(list[1u << 29], 0u);
  list.Resize(4);
  EXPECT_FALSE(list.is_sparse()) << "a small list is an array";
  EXPECT_EQ(list[3], 1u);
}

// Random edits against a map: both forms and every change between them keep the ids.
TEST(ChunkListTest, ForEachFromSkipsHolesAndStops) {
  for (bool far : {false, true}) {
    ChunkList list;
    list.Set(0, 1);
    list.Set(3, 2);
    list.Set(far ? 0x7FFFFFFFu : 9u, 3);
    EXPECT_EQ(list.is_sparse(), far);
    std::vector<uint32_t> seen;
    list.ForEachFrom(1, [&](uint32_t i, ChunkId) {
      seen.push_back(i);
      return true;
    });
    EXPECT_EQ(seen, (std::vector<uint32_t>{3, far ? 0x7FFFFFFFu : 9u}));
    seen.clear();
    list.ForEachFrom(0, [&](uint32_t i, ChunkId) {
      seen.push_back(i);
      return seen.size() < 2;
    });
    EXPECT_EQ(seen, (std::vector<uint32_t>{0, 3}));
    seen.clear();
    list.ForEachFrom(UINT32_MAX, [&](uint32_t i, ChunkId) {
      seen.push_back(i);
      return true;
    });
    EXPECT_TRUE(seen.empty());
  }
}

TEST(ChunkListTest, MatchesAMapUnderRandomEdits) {
  std::mt19937 rng(17);
  ChunkList list;
  std::map<uint32_t, ChunkId> want;
  uint32_t size = 0;
  for (int step = 0; step < 20000; ++step) {
    uint32_t span = (step / 2000) % 2 == 0 ? 200 : 100000;
    uint32_t i = rng() % span;
    switch (rng() % 8) {
      case 0: {
        uint32_t n = rng() % span;
        list.Resize(n);
        want.erase(want.lower_bound(n), want.end());
        size = n;
        break;
      }
      case 1: {
        uint32_t first = rng() % span;
        auto gone = list.Punch(first, first + rng() % 50);
        for (ChunkId c : gone)
          ASSERT_EQ(want.erase(static_cast<uint32_t>(c >> 32)), 1u);
        break;
      }
      case 2:
        list.Set(i, 0);
        want.erase(i);
        size = std::max(size, i + 1);
        break;
      default: {
        ChunkId id = (ChunkId{i} << 32) | (rng() | 1u);
        list.Set(i, id);
        want[i] = id;
        size = std::max(size, i + 1);
      }
    }
    ASSERT_EQ(list.size(), size) << step;
    ASSERT_EQ(list.CountPresent(), want.size()) << step;
  }
  std::map<uint32_t, ChunkId> have;
  list.ForEach([&have](uint32_t i, ChunkId c) { have[i] = c; });
  EXPECT_EQ(have, want);
  for (const auto& [i, c] : want)
    EXPECT_EQ(list[i], c);
}

}  // namespace
}  // namespace elk::master
