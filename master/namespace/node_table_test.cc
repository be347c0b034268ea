// NodeTable's cost follows the nodes there are, not the highest inode number, and its
// lowest-free rule is unchanged by keeping free numbers as ranges.

#include <gtest/gtest.h>

#include <vector>

#include "master/namespace/byte_codec.h"
#include "master/namespace/namespace.h"
#include "master/namespace/node.h"

namespace elk::master {
namespace {

std::vector<InodeId> Ids(const NodeTable& t) {
  std::vector<InodeId> ids;
  t.ForEach([&](InodeId id, const Node&) { ids.push_back(id); });
  return ids;
}

TEST(NodeTableTest, AHugeInodeNumberCostsOnePageNotADenseTable) {
  NodeTable t;
  t.Place(1)->type = NodeType::kDirectory;
  Node* far = t.Place(0x7fffffff);  // the highest number an image may name
  ASSERT_NE(far, nullptr);
  far->type = NodeType::kFile;
  EXPECT_EQ(t.pages_allocated(), 2u);
  EXPECT_EQ(t.free_ranges(), 1u);  // 2 .. 2^31 - 2
  EXPECT_EQ(t.used(), 2u);
  EXPECT_EQ(Ids(t), (std::vector<InodeId>{1, 0x7fffffff}));
  EXPECT_EQ(t.Get(12345678), nullptr);  // in a page never made
  EXPECT_NE(t.Get(0x7fffffff), nullptr);
  // New numbers are still the lowest free ones.
  EXPECT_EQ(t.Allocate(0), 2u);
  EXPECT_EQ(t.Allocate(0), 3u);
  EXPECT_EQ(t.pages_allocated(), 2u);
}

TEST(NodeTableTest, FreedNumbersCoolThenComeBackLowestFirstAndMerge) {
  NodeTable t;
  for (int i = 0; i < 10; ++i)
    t.At(t.Allocate(0)).type = NodeType::kFile;  // 1..10
  for (InodeId id : {4u, 6u, 5u})
    t.Free(id, 100);
  EXPECT_EQ(t.Allocate(100), 11u);  // still cooling
  t.At(11).type = NodeType::kFile;
  EXPECT_EQ(t.Allocate(100 + NodeTable::kReuseDelay), 4u);
  EXPECT_EQ(t.free_ranges(), 1u);  // 5 and 6 joined
  EXPECT_EQ(t.Allocate(100 + NodeTable::kReuseDelay), 5u);
  EXPECT_EQ(t.Allocate(100 + NodeTable::kReuseDelay), 6u);
  EXPECT_EQ(t.free_ranges(), 0u);
  EXPECT_EQ(t.Allocate(100 + NodeTable::kReuseDelay), 12u);
}

TEST(NodeTableTest, RestoredCoolingNumbersAreNotHandedOut) {
  NodeTable t;
  t.Place(1)->type = NodeType::kDirectory;
  t.Place(5)->type = NodeType::kFile;  // 2, 3, 4 free
  ASSERT_TRUE(t.RestoreCooling({{3, 1000}, {9, 1000}}));
  EXPECT_EQ(t.Allocate(1000), 2u);
  EXPECT_EQ(t.Allocate(1000), 4u);
  EXPECT_EQ(t.Allocate(1000), 6u);                   // 9 cools; 6, 7, 8 are free
  EXPECT_FALSE(t.RestoreCooling({{5, 1000}}));       // in use
  EXPECT_FALSE(t.RestoreCooling({{7, 1}, {7, 2}}));  // twice
}

// A format-2 node record (times as u32 seconds, a dense chunk list) with no chunks.
void PutNode(ByteWriter& w, InodeId id, NodeType type, InodeId parent, uint32_t nlink) {
  w.Var(id);
  w.Byte(static_cast<uint8_t>(type));
  w.Var(type == NodeType::kDirectory ? 0755 : 0644);
  w.Var(0);     // uid
  w.Var(0);     // gid
  w.Var(1000);  // atime
  w.Var(1000);  // mtime
  w.Var(1000);  // ctime
  w.Var(nlink);
  w.Var(0);  // length
  w.Byte(kDefaultGoal);
  w.Var(kDefaultTrashTime);
  w.Var(parent);
  w.Byte(0);  // flags
  w.Var(0);   // chunk slots
  w.Byte(0);  // no rdev
  w.Var(0);   // no xattrs
}

TEST(NodeTableTest, AnImageNamingTheHighestInodeLoadsCheaply) {
  // The root and one file at 2^31 - 1: a state the live master reaches after issuing that
  // many numbers and freeing all but these (a day later, none cools any more).
  constexpr InodeId kFar = 0x7fffffff;
  ByteWriter w;
  PutNode(w, kRootInode, NodeType::kDirectory, kRootInode, 2);
  w.Str("");  // the root's name
  w.Var(1);   // next entry sequence
  w.Var(1);   // entries
  w.Var(0);
  w.Str("far");
  w.Var(kFar);
  PutNode(w, kFar, NodeType::kFile, 0, 1);
  for (int i = 0; i < 5; ++i)
    w.Var(0);  // end of nodes; no trash, reserved, opens, cooling
  MemoryChunkRefs refs;
  Namespace ns(refs, 1000);
  ASSERT_TRUE(ns.LoadNodes(w.Take(), 2).ok());
  auto far = ns.Lookup(Cred{}, kRootInode, "far");
  ASSERT_TRUE(far.ok());
  EXPECT_EQ(far->inode, kFar);
  EXPECT_EQ(ns.Stats().files, 1u);
  // New files get the lowest free numbers, as on the master that wrote the image.
  auto next = ns.Create(Cred{}, kRootInode, "next", NodeType::kFile, 0644, 0, 0, 2000);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->inode, 2u);
  // Saved and loaded again, the same.
  MemoryChunkRefs refs2;
  Namespace again(refs2, 1000);
  ASSERT_TRUE(again.LoadNodes(ns.SerializeNodes()).ok());
  EXPECT_EQ(again.Dump(), ns.Dump());
}

}  // namespace
}  // namespace elk::master
