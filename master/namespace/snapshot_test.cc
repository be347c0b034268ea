#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

class SnapshotTest : public NsTest {
 protected:
  // src/{a (chunks 1,2), sub/{b (chunk 3)}, l -> a}
  void SetUp() override {
    src = Dir(kRootInode, "src");
    a = File(src, "a");
    sub = Dir(src, "sub");
    b = File(sub, "b");
    ASSERT_TRUE(ns.Symlink(root, src, "l", "a", now).ok());
    Give(a, 0, 1);
    Give(a, 1, 2);
    Give(b, 0, 3);
    SetAttrRequest req;
    req.length = kChunkSize + 10;
    ASSERT_TRUE(ns.SetAttr(root, a, req, now).ok());
    ASSERT_TRUE(ns.SetXattr(root, a, "user.k", "v", XattrFlags::kAny, now).ok());
  }
  void Give(InodeId f, uint32_t index, ChunkId c) {
    refs.Ref(c, kDefaultGoal);
    ASSERT_TRUE(ns.SetChunk(f, index, c).ok());
  }
  InodeId src = 0, a = 0, sub = 0, b = 0;
};

TEST_F(SnapshotTest, TreeCopySharesChunks) {
  auto snap = ns.MakeSnapshot(root, src, kRootInode, "snap", false, now + 1);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_NE(snap->inode, src);
  auto ca = ns.Lookup(root, snap->inode, "a");
  auto csub = ns.Lookup(root, snap->inode, "sub");
  ASSERT_TRUE(ca.ok() && csub.ok());
  auto cb = ns.Lookup(root, csub->inode, "b");
  ASSERT_TRUE(cb.ok());
  EXPECT_EQ(*ns.Chunks(ca->inode), (std::vector<ChunkId>{1, 2}));
  EXPECT_EQ(ca->length, kChunkSize + 10);
  EXPECT_EQ(refs.Count(1), 2u);
  EXPECT_EQ(refs.Count(2), 2u);
  EXPECT_EQ(refs.Count(3), 2u);
  auto l = ns.Lookup(root, snap->inode, "l");
  EXPECT_EQ(*ns.Readlink(l->inode), "a");
  EXPECT_EQ(*ns.GetXattr(root, ca->inode, "user.k"), "v");
  EXPECT_EQ(ns.Lookup(root, csub->inode, "..")->inode, snap->inode);
  EXPECT_EQ(snap->nlink, 3u);
}

TEST_F(SnapshotTest, LaterSourceChangesDoNotReachSnapshot) {
  auto snap = ns.MakeSnapshot(root, src, kRootInode, "snap", false, now);
  ASSERT_TRUE(snap.ok());
  std::string before = ns.Dump();
  File(src, "new");
  ASSERT_TRUE(ns.Unlink(root, sub, "b", now).ok());
  refs.Ref(99, kDefaultGoal);
  ASSERT_TRUE(ns.SetChunk(a, 0, 99).ok());  // copy-on-write of chunk 1 in the source
  EXPECT_EQ(ns.Lookup(root, snap->inode, "new").code(), Code::kNoEnt);
  auto csub = ns.Lookup(root, snap->inode, "sub");
  EXPECT_TRUE(ns.Lookup(root, csub->inode, "b").ok());
  auto ca = ns.Lookup(root, snap->inode, "a");
  EXPECT_EQ(*ns.ChunkAt(ca->inode, 0), 1u);
  EXPECT_EQ(refs.Count(1), 1u) << "only the snapshot holds chunk 1 now";
}

TEST_F(SnapshotTest, SingleFileAndOverwrite) {
  auto one = ns.MakeSnapshot(root, a, kRootInode, "copy", false, now);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(refs.Count(1), 2u);
  EXPECT_EQ(ns.MakeSnapshot(root, b, kRootInode, "copy", false, now).code(), Code::kExist);
  ASSERT_TRUE(ns.SetTrashTime(root, one->inode, 0, SetMode::kSet, false, now).ok());
  auto over = ns.MakeSnapshot(root, b, kRootInode, "copy", true, now);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(*ns.Chunks(over->inode), (std::vector<ChunkId>{3}));
  EXPECT_EQ(refs.Count(1), 1u) << "the overwritten copy released its references";
  EXPECT_EQ(refs.Count(3), 2u);
}

TEST_F(SnapshotTest, OverwriteMergesIntoExistingTree) {
  ASSERT_TRUE(ns.MakeSnapshot(root, src, kRootInode, "snap", false, now).ok());
  File(src, "later");
  auto again = ns.MakeSnapshot(root, src, kRootInode, "snap", true, now);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(ns.Lookup(root, again->inode, "later").ok());
  EXPECT_EQ(refs.Count(1), 3u) << "source, new copy, and the replaced copy now in trash";
  EXPECT_EQ(ns.ListTrash().size(), 2u) << "replaced copies of a and sub/b (symlinks are freed)";
}

TEST_F(SnapshotTest, Refusals) {
  EXPECT_EQ(ns.MakeSnapshot(root, a, src, "a", true, now).code(), Code::kInval);
  EXPECT_TRUE(ns.GetAttr(a).ok());
  EXPECT_EQ(ns.MakeSnapshot(root, src, sub, "loop", false, now).code(), Code::kInval);
  EXPECT_EQ(ns.MakeSnapshot(root, 999, kRootInode, "x", false, now).code(), Code::kNoEnt);
  EXPECT_EQ(ns.MakeSnapshot(alice, src, kRootInode, "x", false, now).code(), Code::kAccess);
  EXPECT_EQ(ns.MakeSnapshot(root, src, a, "x", false, now).code(), Code::kNotDir);
}

TEST_F(SnapshotTest, NonRootCopiesAreOwnedByCaller) {
  InodeId pub = Dir(kRootInode, "pub", 0777);
  auto snap = ns.MakeSnapshot(alice, a, pub, "mine", false, now);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->uid, alice.uid);
  EXPECT_EQ(snap->gid, alice.gid);
}

// A copy is the snapshotter's: every node it would copy must be theirs to read.
TEST_F(SnapshotTest, EveryCopiedNodeMustBeReadable) {
  InodeId home = Dir(kRootInode, "home", 0777);
  InodeId mine = Dir(home, "mine", 0755, &alice);
  InodeId secret = File(mine, "secret", 0600, &alice);
  EXPECT_TRUE(ns.CheckSnapshotReadable(alice, mine).ok());
  EXPECT_EQ(ns.CheckSnapshotReadable(bob, mine).code(), Code::kAccess);  // the 0600 file
  Chmod(secret, 0644);
  EXPECT_TRUE(ns.CheckSnapshotReadable(bob, mine).ok());
  Dir(mine, "closed", 0700, &alice);
  EXPECT_EQ(ns.CheckSnapshotReadable(bob, mine).code(), Code::kAccess);  // a 0700 folder
  EXPECT_TRUE(ns.CheckSnapshotReadable(root, mine).ok());
}

// The copy needs no stack depth: a chain of 200,000 folders is copied whole.
TEST_F(SnapshotTest, ADeepChainIsCopiedWithoutRecursion) {
  constexpr int kDepth = 200000;
  InodeId top = Dir(kRootInode, "deep");
  InodeId at = top;
  for (int i = 0; i < kDepth; ++i) {
    auto d = ns.Mkdir(root, at, "d", 0755, 0, now);
    ASSERT_TRUE(d.ok());
    at = d->inode;
  }
  ASSERT_TRUE(ns.MakeSnapshot(root, top, kRootInode, "deep.snap", false, now).ok());
  auto walk = ns.Lookup(root, kRootInode, "deep.snap");
  int depth = 0;
  for (; walk.ok(); ++depth)
    walk = ns.Lookup(root, walk->inode, "d");
  EXPECT_EQ(depth, kDepth + 1);
}

TEST_F(SnapshotTest, AppendChunksRoundsToChunkBoundary) {
  InodeId dst = File(kRootInode, "dst");
  Give(dst, 0, 50);
  SetAttrRequest req;
  req.length = 100;
  ASSERT_TRUE(ns.SetAttr(root, dst, req, now).ok());
  const InodeId srcs[] = {b, a};
  ASSERT_TRUE(ns.AppendChunks(root, dst, srcs, now).ok());
  EXPECT_EQ(*ns.Chunks(dst), (std::vector<ChunkId>{50, 3, 1, 2}));
  EXPECT_EQ(Get(dst).length, 2 * kChunkSize + kChunkSize + 10);
  EXPECT_EQ(refs.Count(3), 2u);
  EXPECT_EQ(refs.Count(1), 2u);
  const InodeId dirs[] = {sub};
  EXPECT_EQ(ns.AppendChunks(root, dst, dirs, now).code(), Code::kPerm);
  const InodeId self[] = {dst};
  ASSERT_TRUE(ns.AppendChunks(root, dst, self, now).ok());
  EXPECT_EQ(ns.Chunks(dst)->size(), 8u);
  EXPECT_EQ(refs.Count(50), 2u);
}

TEST_F(SnapshotTest, SetChunkAndChunkAt) {
  EXPECT_EQ(*ns.ChunkAt(a, 0), 1u);
  EXPECT_EQ(*ns.ChunkAt(a, 5), 0u);
  refs.Ref(77, kDefaultGoal);
  ASSERT_TRUE(ns.SetChunk(a, 0, 77).ok());
  EXPECT_EQ(refs.Count(1), 0u);
  EXPECT_EQ(*ns.ChunkAt(a, 0), 77u);
  EXPECT_EQ(ns.SetChunk(src, 0, 5).code(), Code::kPerm);
  EXPECT_EQ(ns.ChunkAt(999, 0).code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::master
