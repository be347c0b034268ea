#include "cinderdriver/volume/block_arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace elk::volume {
namespace {

TEST(BlockArena, GivesDistinctWritableBlocksUpToItsCapacity) {
  constexpr size_t kBlocks = 600;  // more than one region
  BlockArena arena(kBlocks);
  std::set<uint8_t*> taken;
  for (size_t i = 0; i < kBlocks; ++i) {
    uint8_t* b = arena.Take();
    ASSERT_NE(b, nullptr) << i;
    std::memset(b, static_cast<int>(i), BlockArena::kBlock);
    taken.insert(b);
  }
  EXPECT_EQ(taken.size(), kBlocks);
  EXPECT_EQ(arena.Take(), nullptr);
  // Regions start on a huge page, and no two blocks overlap.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(*taken.begin()) % (2 << 20), 0u);
  for (auto it = taken.begin(); std::next(it) != taken.end(); ++it)
    EXPECT_GE(*std::next(it) - *it, static_cast<ptrdiff_t>(BlockArena::kBlock));
  uint8_t* back = *taken.rbegin();
  arena.Give(back);
  EXPECT_EQ(arena.Take(), back);
}

TEST(BlockArena, NoCapacityGivesNothing) {
  BlockArena arena(0);
  EXPECT_EQ(arena.Take(), nullptr);
}

}  // namespace
}  // namespace elk::volume
