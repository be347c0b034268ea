#include "master/chunks/copy_list.h"

#include <gtest/gtest.h>

namespace elk::master {
namespace {

TEST(CopyList, KeepsOrderAndSpillsPastThreeInline) {
  CopyList list;
  for (ServerId s = 1; s <= 5; ++s)
    list.Add(Copy{s, CopyState::kValid, false, s * 10u});
  ASSERT_EQ(list.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i)
    EXPECT_EQ(list[i].server, i + 1);
  ASSERT_NE(list.Find(4), nullptr);
  EXPECT_EQ(list.Find(4)->version, 40u);
  EXPECT_EQ(list.Find(9), nullptr);
}

TEST(CopyList, RemoveClosesTheGap) {
  CopyList list;
  for (ServerId s = 1; s <= 4; ++s)
    list.Add(Copy{s});
  EXPECT_TRUE(list.Remove(2));
  EXPECT_FALSE(list.Remove(2));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].server, 1);
  EXPECT_EQ(list[1].server, 3);
  EXPECT_EQ(list[2].server, 4);
}

TEST(CopyList, MovesWithItsCopies) {
  CopyList a;
  for (ServerId s = 1; s <= 4; ++s)
    a.Add(Copy{s});
  CopyList b = std::move(a);
  EXPECT_EQ(b.size(), 4u);
  EXPECT_EQ(b[3].server, 4);
  CopyList c;
  c.Add(Copy{7});
  c = std::move(b);
  EXPECT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].server, 1);
}

TEST(CopyList, GoesBackInlineWhenItShrinks) {
  CopyList list;
  for (ServerId s = 1; s <= 4; ++s)
    list.Add(Copy{s});
  EXPECT_TRUE(list.Remove(1));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].server, 2);
  EXPECT_TRUE(list.Remove(3));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].server, 4);
  list.Add(Copy{9});
  EXPECT_EQ(list.size(), 3u);
  list.Clear();
  EXPECT_TRUE(list.empty());
}

TEST(CopyList, IgnoresACopyOnNoServer) {
  CopyList list;
  list.Add(Copy{kNoServer});
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.Remove(kNoServer));
}

TEST(CopyList, Is32Bytes) {
  EXPECT_EQ(sizeof(CopyList), 32u);
}

}  // namespace
}  // namespace elk::master
