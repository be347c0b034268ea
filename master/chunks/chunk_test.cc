#include "master/chunks/chunk.h"

#include <gtest/gtest.h>

#include "master/chunks/locks.h"

namespace elk::master {
namespace {

TEST(Chunk, StaysCompact) {
  // Millions of chunks: a change that grows this should be a decision, not an accident.
  // 56 bytes makes a 72-byte hash-map node, an 80-byte malloc block.
  EXPECT_LE(sizeof(Chunk), 56u);
}

TEST(Chunk, GoalIsTheHighestAmongReferences) {
  Chunk c;
  c.AddRef(2);
  EXPECT_EQ(c.goal(), 2);
  c.AddRef(2);
  c.AddRef(5);
  EXPECT_EQ(c.refcount(), 3u);
  EXPECT_EQ(c.goal(), 5);
  EXPECT_TRUE(c.RemoveRef(5));
  EXPECT_EQ(c.goal(), 2);
  EXPECT_TRUE(c.RemoveRef(2));
  EXPECT_TRUE(c.RemoveRef(2));
  EXPECT_EQ(c.refcount(), 0u);
  EXPECT_EQ(c.goal(), 0);
}

TEST(Chunk, RemoveRefOfAGoalNobodyHasChangesNothing) {
  Chunk c;
  c.AddRef(3);
  EXPECT_FALSE(c.RemoveRef(2));
  EXPECT_EQ(c.refcount(), 1u);
  c.AddRef(1);
  EXPECT_FALSE(c.RemoveRef(7));
  EXPECT_EQ(c.refcount(), 2u);
  EXPECT_EQ(c.goal(), 3);
}

TEST(Chunk, ChangeGoalMovesOneReference) {
  Chunk c;
  c.AddRef(2);
  c.AddRef(2);
  EXPECT_TRUE(c.ChangeGoal(2, 4));
  EXPECT_EQ(c.goal(), 4);
  EXPECT_EQ(c.refcount(), 2u);
  EXPECT_TRUE(c.ChangeGoal(4, 1));
  EXPECT_EQ(c.goal(), 2);
  EXPECT_FALSE(c.ChangeGoal(9, 1));
}

TEST(WriteLocks, HoldAgainstOthersUntilTheyExpire) {
  WriteLocks locks;
  locks.Lock(5, 7, 100);
  EXPECT_TRUE(locks.LockedAgainst(5, 8, 99));
  EXPECT_FALSE(locks.LockedAgainst(5, 7, 99));
  EXPECT_FALSE(locks.LockedAgainst(5, 8, 100));
  EXPECT_FALSE(locks.LockedAgainst(6, 8, 50));
  EXPECT_EQ(locks.HolderOf(5), 7u);
  locks.Expire(99);
  EXPECT_EQ(locks.size(), 1u);
  locks.Expire(100);
  EXPECT_EQ(locks.size(), 0u);
  locks.Lock(5, 7, 100);
  locks.Unlock(5);
  EXPECT_FALSE(locks.IsLocked(5, 50));
}

}  // namespace
}  // namespace elk::master
