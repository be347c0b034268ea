#include "master/namespace/chunk_list.h"

#include <gtest/gtest.h>

namespace elk::master {
namespace {

TEST(ChunkListTest, OneChunkStaysInline) {
  ChunkList list;
  EXPECT_TRUE(list.empty());
  list.Append(42);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0], 42u);
}

TEST(ChunkListTest, GrowsShrinksAndFillsHoles) {
  ChunkList list;
  list.Append(1);
  list.Resize(5);
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[0], 1u);
  for (uint32_t i = 1; i < 5; ++i)
    EXPECT_EQ(list[i], 0u);
  list[4] = 9;
  list.Resize(2);
  list.Resize(5);
  EXPECT_EQ(list[4], 0u) << "regrown slots are holes, not old ids";
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

}  // namespace
}  // namespace elk::master
