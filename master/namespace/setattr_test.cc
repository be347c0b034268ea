#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

TEST_F(NsTest, ChmodOnlyByOwnerOrRoot) {
  InodeId f = File(kRootInode, "f", 0644);
  Chown(f, alice.uid, alice.gid);
  SetAttrRequest req;
  req.mode = 0600;
  EXPECT_EQ(ns.SetAttr(bob, f, req, now).code(), Code::kPerm);
  auto r = ns.SetAttr(alice, f, req, now + 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attr.mode, 0600);
  EXPECT_EQ(r->attr.ctime, FileTimeOf(now + 5));
}

TEST_F(NsTest, ChmodByNonMemberClearsSetgid) {
  InodeId f = File(kRootInode, "f", 0644);
  Chown(f, alice.uid, 500);  // alice is not in 500
  SetAttrRequest req;
  req.mode = 02755;
  auto r = ns.SetAttr(alice, f, req, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attr.mode, 0755);
  EXPECT_EQ(ns.SetAttr(root, f, req, now)->attr.mode, 02755);
}

TEST_F(NsTest, ChownRules) {
  InodeId f = File(kRootInode, "f", 06755);
  Chown(f, bob.uid, bob.gid);
  SetAttrRequest give;
  give.uid = alice.uid;
  EXPECT_EQ(ns.SetAttr(bob, f, give, now).code(), Code::kPerm);
  SetAttrRequest to_200;
  to_200.gid = 200;
  EXPECT_EQ(ns.SetAttr(alice, f, to_200, now).code(), Code::kPerm) << "not the owner";
  SetAttrRequest to_300;
  to_300.gid = 300;
  EXPECT_EQ(ns.SetAttr(bob, f, to_300, now).code(), Code::kPerm) << "not in group 300";
  auto r = ns.SetAttr(bob, f, to_200, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attr.gid, 200u);
  EXPECT_EQ(r->attr.mode, 0755) << "chown drops suid and sgid";
  EXPECT_TRUE(ns.SetAttr(root, f, give, now).ok());
  EXPECT_EQ(Get(f).uid, alice.uid);
}

TEST_F(NsTest, Times) {
  InodeId f = File(kRootInode, "f", 0666);
  SetAttrRequest set;
  set.atime_how = TimeSet::kValue;
  set.atime = 5;
  set.mtime_how = TimeSet::kNow;
  EXPECT_EQ(ns.SetAttr(alice, f, set, 3000).code(), Code::kPerm);
  auto r = ns.SetAttr(root, f, set, 3000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attr.atime, 5);
  EXPECT_EQ(r->attr.mtime, FileTimeOf(3000));
  SetAttrRequest touch;
  touch.atime_how = TimeSet::kNow;
  touch.mtime_how = TimeSet::kNow;
  EXPECT_TRUE(ns.SetAttr(alice, f, touch, 4000).ok()) << "write permission suffices for now";
  EXPECT_EQ(Get(f).atime, FileTimeOf(4000));
  Chmod(f, 0644);
  EXPECT_EQ(ns.SetAttr(alice, f, touch, 4000).code(), Code::kAccess);
  SetAttrRequest omit;
  omit.mtime_how = TimeSet::kValue;
  omit.mtime = 7;
  ASSERT_TRUE(ns.SetAttr(root, f, omit, 5000).ok());
  EXPECT_EQ(Get(f).atime, FileTimeOf(4000)) << "omitted time unchanged";
  EXPECT_EQ(Get(f).mtime, 7);
}

TEST_F(NsTest, TruncateDropsChunksBeyondLength) {
  InodeId f = File(kRootInode, "f");
  for (uint32_t i = 0; i < 4; ++i) {
    refs.Ref(100 + i, kDefaultGoal);
    ASSERT_TRUE(ns.SetChunk(f, i, 100 + i).ok());
  }
  SetAttrRequest req;
  req.length = 4 * kChunkSize;
  ASSERT_TRUE(ns.SetAttr(root, f, req, now).ok());
  req.length = kChunkSize + 1;  // keeps chunks 0 and 1
  auto r = ns.SetAttr(root, f, req, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->released, (std::vector<ChunkId>{102, 103}));
  EXPECT_EQ(refs.Count(102), 0u);
  EXPECT_EQ(refs.Count(101), 1u);
  EXPECT_EQ(*ns.Chunks(f), (std::vector<ChunkId>{100, 101}));
  EXPECT_EQ(r->attr.length, kChunkSize + 1);
  req.length = 10 * kChunkSize;  // growing adds holes, no chunks
  ASSERT_TRUE(ns.SetAttr(root, f, req, now).ok());
  EXPECT_EQ(ns.Chunks(f)->size(), 2u);
  EXPECT_EQ(*ns.ChunkAt(f, 7), 0u);
}

TEST_F(NsTest, TruncateErrors) {
  InodeId d = Dir(kRootInode, "d");
  InodeId f = File(kRootInode, "f", 0644);
  SetAttrRequest req;
  req.length = 0;
  EXPECT_EQ(ns.SetAttr(root, d, req, now).code(), Code::kIsDir);
  EXPECT_EQ(ns.SetAttr(alice, f, req, now).code(), Code::kAccess);
  EXPECT_EQ(ns.SetAttr(root, 999, req, now).code(), Code::kNoEnt);
}

TEST_F(NsTest, RefusedSetAttrChangesNothing) {
  InodeId f = File(kRootInode, "f", 0644);
  std::string before = ns.Dump();
  SetAttrRequest req;
  req.mode = 0777;
  req.uid = 5;  // alice may not
  EXPECT_EQ(ns.SetAttr(alice, f, req, now + 1).code(), Code::kPerm);
  EXPECT_EQ(ns.Dump(), before);
}

}  // namespace
}  // namespace elk::master
