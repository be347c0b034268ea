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

TEST(BlockCache, ZeroCapacityKeepsNothing) {
  BlockCache c(0);
  std::vector<uint8_t> out(BlockCache::kBlock);
  c.Put(1, 0, Block(1), c.Epoch(1));
  EXPECT_FALSE(c.Get(1, 0, out.data()));
}

}  // namespace
}  // namespace elk::volume
