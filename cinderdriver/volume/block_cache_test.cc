#include "cinderdriver/volume/block_cache.h"

#include <gtest/gtest.h>

namespace elk::volume {
namespace {

std::vector<uint8_t> Block(uint8_t v) {
  return std::vector<uint8_t>(BlockCache::kBlock, v);
}

TEST(BlockCache, KeepsAndEvictsLeastRecentlyUsed) {
  BlockCache c(2 * BlockCache::kBlock);
  std::vector<uint8_t> out(BlockCache::kBlock);
  c.Put(1, 0, Block(1), c.Epoch(1));
  c.Put(1, 1, Block(2), c.Epoch(1));
  ASSERT_TRUE(c.Get(1, 0, out.data()));  // 0 is now the most recent
  EXPECT_EQ(out[0], 1);
  c.Put(1, 2, Block(3), c.Epoch(1));  // evicts 1
  EXPECT_FALSE(c.Get(1, 1, out.data()));
  EXPECT_TRUE(c.Get(1, 0, out.data()));
  EXPECT_TRUE(c.Get(1, 2, out.data()));
  EXPECT_FALSE(c.Get(2, 0, out.data()));  // another volume
  EXPECT_EQ(c.hits(), 3u);
}

TEST(BlockCache, AReadThatRacedAWriteIsNotKept) {
  BlockCache c(16 * BlockCache::kBlock);
  std::vector<uint8_t> out(BlockCache::kBlock);
  const uint64_t before = c.Epoch(7);  // a read begins
  c.Invalidate(7, 3, 3);               // a write to block 3 lands meanwhile
  c.Put(7, 3, Block(9), before);       // the read's (maybe old) bytes
  EXPECT_FALSE(c.Get(7, 3, out.data()));
  c.Put(7, 3, Block(9), c.Epoch(7));  // a read after the write
  EXPECT_TRUE(c.Get(7, 3, out.data()));
  c.Invalidate(7, 2, 4);
  EXPECT_FALSE(c.Get(7, 3, out.data()));
  // Another volume's writes do not spoil this one's reads.
  const uint64_t e8 = c.Epoch(8);
  c.Invalidate(9, 0, 0);
  c.Put(8, 0, Block(5), e8);
  EXPECT_TRUE(c.Get(8, 0, out.data()));
}

TEST(BlockCache, WritesAreKeptAndPatchedAndSpoilRacingReads) {
  constexpr uint32_t kB = BlockCache::kBlock;
  BlockCache c(16 * kB);
  std::vector<uint8_t> out(kB);
  const uint64_t before = c.Epoch(3);  // a read of block 1 begins
  // Blocks 1 and 2 whole, and the first 100 bytes of block 3.
  std::vector<uint8_t> data(2 * kB + 100, 4);
  c.Written(3, kB, data);
  ASSERT_TRUE(c.Get(3, 1, out.data()));
  EXPECT_EQ(out, Block(4));
  ASSERT_TRUE(c.Get(3, 2, out.data()));
  EXPECT_FALSE(c.Get(3, 3, out.data()));  // only part of it is known
  c.Put(3, 1, Block(0), before);          // the racing read's old bytes lose
  ASSERT_TRUE(c.Get(3, 1, out.data()));
  EXPECT_EQ(out[0], 4);
  // A small write into a cached block changes just its bytes.
  c.Written(3, 2 * kB + 10, std::vector<uint8_t>(5, 9));
  ASSERT_TRUE(c.Get(3, 2, out.data()));
  EXPECT_EQ(out[9], 4);
  EXPECT_EQ(out[10], 9);
  EXPECT_EQ(out[14], 9);
  EXPECT_EQ(out[15], 4);
  // Nothing is kept without room for it.
  BlockCache none(0);
  none.Written(1, 0, Block(1));
  EXPECT_FALSE(none.Get(1, 0, out.data()));
}

TEST(BlockCache, ZeroCapacityKeepsNothing) {
  BlockCache c(0);
  std::vector<uint8_t> out(BlockCache::kBlock);
  c.Put(1, 0, Block(1), c.Epoch(1));
  EXPECT_FALSE(c.Get(1, 0, out.data()));
}

}  // namespace
}  // namespace elk::volume
