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

TEST_F(NsTest, ChownByNonOwnerIsRefusedEvenToTheSameIds) {
  InodeId f = File(kRootInode, "f", 0644);
  Chown(f, alice.uid, alice.gid);
  SetAttrRequest same;
  same.uid = alice.uid;
  same.gid = alice.gid;
  EXPECT_EQ(ns.SetAttr(bob, f, same, now).code(), Code::kPerm);
  SetAttrRequest same_gid;
  same_gid.gid = alice.gid;
  EXPECT_EQ(ns.SetAttr(bob, f, same_gid, now).code(), Code::kPerm);
  // The owner may name itself and its current group.
  EXPECT_TRUE(ns.SetAttr(alice, f, same, now).ok());
  // chown(-1, -1) names nothing: nothing to refuse.
  EXPECT_TRUE(ns.SetAttr(bob, f, SetAttrRequest{}, now).ok());
}

TEST_F(NsTest, ChownClearsSetuidAndSetgidOnlyWithGroupExec) {
  InodeId exec = File(kRootInode, "exec", 06755);
  InodeId lock = File(kRootInode, "lock", 06644);  // setgid without g+x: a locking mark
  SetAttrRequest give;
  give.uid = alice.uid;
  EXPECT_EQ(ns.SetAttr(root, exec, give, now)->attr.mode, 0755) << "root's chown too";
  EXPECT_EQ(ns.SetAttr(root, lock, give, now)->attr.mode, 02644);
  InodeId dir = Dir(kRootInode, "d", 02755);
  EXPECT_EQ(ns.SetAttr(root, dir, give, now)->attr.mode, 02755) << "folders keep setgid";
}

TEST_F(NsTest, WriterMayClearOnlySetuidAndSetgidAsTheKernelDoesAfterAWrite) {
  InodeId f = File(kRootInode, "f", 06777);
  SetAttrRequest kill;
  kill.mode = 0777;
  SetAttrRequest more;
  more.mode = 0755;  // also takes w away: a real chmod
  EXPECT_EQ(ns.SetAttr(eve, f, more, now).code(), Code::kPerm);
  auto r = ns.SetAttr(eve, f, kill, now);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attr.mode, 0777);
  EXPECT_EQ(ns.SetAttr(eve, f, kill, now).code(), Code::kPerm) << "nothing left to clear";
  InodeId ro = File(kRootInode, "ro", 06755);
  SetAttrRequest kill_ro;
  kill_ro.mode = 0755;
  EXPECT_EQ(ns.SetAttr(eve, ro, kill_ro, now).code(), Code::kPerm) << "eve may not write it";
  InodeId nogx = File(kRootInode, "nogx", 02666);
  SetAttrRequest kill_nogx;
  kill_nogx.mode = 0666;
  EXPECT_EQ(ns.SetAttr(eve, nogx, kill_nogx, now).code(), Code::kPerm)
      << "setgid without g+x is no privilege a write clears";
}

TEST_F(NsTest, TruncateByNonRootClearsSetuidAndSetgid) {
  InodeId f = File(kRootInode, "f", 06777);
  InodeId nogx = File(kRootInode, "nogx", 06666);
  InodeId by_root = File(kRootInode, "by-root", 06777);
  SetAttrRequest cut;
  cut.length = 0;  // the length does not change: the bits go anyway, as on Linux
  EXPECT_EQ(ns.SetAttr(eve, f, cut, now)->attr.mode, 0777);
  EXPECT_EQ(ns.SetAttr(eve, nogx, cut, now)->attr.mode, 02666);
  EXPECT_EQ(ns.SetAttr(root, by_root, cut, now)->attr.mode, 06777);
}

TEST_F(NsTest, TruncateThroughADescriptorOpenedForWritingIgnoresTheMode) {
  InodeId f = File(kRootInode, "f", 0);
  Chown(f, alice.uid, alice.gid);
  SetAttrRequest cut;
  cut.length = 100;
  EXPECT_EQ(ns.SetAttr(alice, f, cut, now).code(), Code::kAccess) << "by name";
  cut.open_for_write = true;
  auto r = ns.SetAttr(alice, f, cut, now);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attr.length, 100u);
  // The descriptor grants the length only, not a chmod or times.
  SetAttrRequest chmod_too = cut;
  chmod_too.mode = 0644;
  EXPECT_EQ(ns.SetAttr(bob, f, chmod_too, now).code(), Code::kPerm);
  SetAttrRequest touch;
  touch.mtime_how = TimeSet::kNow;
  touch.open_for_write = true;
  EXPECT_EQ(ns.SetAttr(bob, f, touch, now).code(), Code::kAccess);
}

}  // namespace
}  // namespace elk::master
