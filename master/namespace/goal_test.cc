#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

TEST_F(NsTest, GoalInheritedAndSet) {
  InodeId d = Dir(kRootInode, "d");
  ASSERT_TRUE(ns.SetGoal(root, d, 5, SetMode::kSet, false, now).ok());
  ASSERT_TRUE(ns.SetTrashTime(root, d, 60, SetMode::kSet, false, now).ok());
  InodeId f = File(d, "f");
  EXPECT_EQ(*ns.GetGoal(f), 5);
  EXPECT_EQ(*ns.GetTrashTime(f), 60u);
  EXPECT_EQ(ns.SetGoal(root, f, 0, SetMode::kSet, false, now).code(), Code::kInval);
  EXPECT_EQ(ns.SetGoal(root, f, 10, SetMode::kSet, false, now).code(), Code::kInval);
  EXPECT_EQ(ns.SetGoal(alice, f, 3, SetMode::kSet, false, now).code(), Code::kPerm);
  EXPECT_EQ(ns.GetGoal(999).code(), Code::kNoEnt);
}

TEST_F(NsTest, RecursiveSetGoalCounts) {
  InodeId d = Dir(kRootInode, "d", 0777);
  InodeId sub = Dir(d, "sub", 0777, &alice);
  File(d, "root_file");
  File(sub, "a1", 0644, &alice);
  File(sub, "a2", 0644, &alice);
  ASSERT_TRUE(
      ns.SetGoal(root, ns.Lookup(root, sub, "a2")->inode, 3, SetMode::kSet, false, now).ok());
  auto counts = ns.SetGoal(alice, d, 3, SetMode::kSet, true, now);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->changed, 2u);        // sub, a1
  EXPECT_EQ(counts->not_changed, 1u);    // a2 was already 3
  EXPECT_EQ(counts->not_permitted, 2u);  // d, root_file
  auto summary = ns.GetGoalRecursive(d);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->by_value[2].dirs, 1u);
  EXPECT_EQ(summary->by_value[2].files, 1u);
  EXPECT_EQ(summary->by_value[3].dirs, 1u);
  EXPECT_EQ(summary->by_value[3].files, 2u);
}

TEST_F(NsTest, IncreaseAndDecreaseModes) {
  InodeId d = Dir(kRootInode, "d");
  InodeId f = File(d, "f");
  ASSERT_TRUE(ns.SetGoal(root, f, 5, SetMode::kSet, false, now).ok());
  auto up = ns.SetGoal(root, d, 3, SetMode::kIncrease, true, now);
  EXPECT_EQ(up->changed, 1u);  // d: 2 -> 3; f stays 5
  EXPECT_EQ(up->not_changed, 1u);
  EXPECT_EQ(*ns.GetGoal(f), 5);
  auto down = ns.SetTrashTime(root, d, 100, SetMode::kDecrease, true, now);
  EXPECT_EQ(down->changed, 2u);
  EXPECT_EQ(*ns.GetTrashTime(f), 100u);
  auto tt = ns.GetTrashTimeRecursive(d);
  EXPECT_EQ(tt->by_value[100].files, 1u);
  EXPECT_EQ(tt->by_value[100].dirs, 1u);
}

TEST_F(NsTest, DirInfoSizes) {
  InodeId d = Dir(kRootInode, "d");
  InodeId f = File(d, "f");
  InodeId g = File(d, "g");
  Dir(d, "e");
  SetAttrRequest req;
  req.length = 1;
  ASSERT_TRUE(ns.SetAttr(root, f, req, now).ok());
  req.length = kChunkSize + kBlockSize + 1;
  ASSERT_TRUE(ns.SetAttr(root, g, req, now).ok());
  ASSERT_TRUE(ns.SetChunk(f, 0, 11).ok());
  ASSERT_TRUE(ns.SetChunk(g, 0, 12).ok());
  ASSERT_TRUE(ns.SetChunk(g, 1, 13).ok());
  ASSERT_TRUE(ns.SetGoal(root, g, 3, SetMode::kSet, false, now).ok());
  auto info = ns.GetDirInfo(d);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->inodes, 4u);
  EXPECT_EQ(info->dirs, 2u);
  EXPECT_EQ(info->files, 2u);
  EXPECT_EQ(info->chunks, 3u);
  EXPECT_EQ(info->length, 1 + kChunkSize + kBlockSize + 1);
  // Each chunk: its blocks and an 8 KiB header; every chunk but the last is whole.
  uint64_t fsize = kBlockSize + 8192;
  uint64_t gsize = kChunkSize + 8192 + 2 * kBlockSize + 8192;
  EXPECT_EQ(info->size, fsize + gsize);
  EXPECT_EQ(info->realsize, fsize * 2 + gsize * 3);
}

}  // namespace
}  // namespace elk::master
