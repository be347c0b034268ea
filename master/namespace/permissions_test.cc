#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

TEST_F(NsTest, AccessClasses) {
  InodeId f = File(kRootInode, "f", 0640);
  Chown(f, alice.uid, 100);
  EXPECT_TRUE(ns.Access(alice, f, kMayRead | kMayWrite).ok());     // owner rw-
  EXPECT_EQ(ns.Access(alice, f, kMayExec).code(), Code::kAccess);  // owner no x
  EXPECT_TRUE(ns.Access(bob, f, kMayRead).ok());                   // group r--
  EXPECT_EQ(ns.Access(bob, f, kMayWrite).code(), Code::kAccess);
  EXPECT_EQ(ns.Access(eve, f, kMayRead).code(), Code::kAccess);  // other ---
  EXPECT_EQ(ns.Access(root, 12345, kMayRead).code(), Code::kNoEnt);
}

TEST_F(NsTest, OwnerClassWinsEvenWhenGroupHasMore) {
  InodeId f = File(kRootInode, "f", 0070);
  Chown(f, alice.uid, alice.gid);
  EXPECT_EQ(ns.Access(alice, f, kMayRead).code(), Code::kAccess);
  EXPECT_TRUE(ns.Access(bob, f, kMayRead).ok());
}

TEST_F(NsTest, SupplementaryGroups) {
  InodeId f = File(kRootInode, "f", 0060);
  Chown(f, 0, 200);
  EXPECT_TRUE(ns.Access(bob, f, kMayRead | kMayWrite).ok());  // bob has group 200 extra
  EXPECT_EQ(ns.Access(alice, f, kMayRead).code(), Code::kAccess);
}

TEST_F(NsTest, IgnoregidAddsGroupAndOtherBitsForNonOwners) {
  InodeId f = File(kRootInode, "f", 0642);  // group r--, other -w-
  Chown(f, alice.uid, 200);
  Cred eve_ig = eve;
  eve_ig.ignoregid = true;
  EXPECT_EQ(ns.Access(eve, f, kMayRead).code(), Code::kAccess);  // not in group 200
  EXPECT_TRUE(ns.Access(eve_ig, f, kMayRead | kMayWrite).ok());  // r-- | -w-
  EXPECT_EQ(ns.Access(eve_ig, f, kMayExec).code(), Code::kAccess);
  Cred alice_ig = alice;  // the owner class still wins for the owner
  alice_ig.ignoregid = true;
  Chmod(f, 0066);
  EXPECT_EQ(ns.Access(alice_ig, f, kMayRead).code(), Code::kAccess);
}

TEST_F(NsTest, RootBypassesButNeedsSomeExecBit) {
  InodeId f = File(kRootInode, "f", 0000);
  EXPECT_TRUE(ns.Access(root, f, kMayRead | kMayWrite).ok());
  EXPECT_EQ(ns.Access(root, f, kMayExec).code(), Code::kAccess);
  Chmod(f, 0001);
  EXPECT_TRUE(ns.Access(root, f, kMayExec).ok());
  InodeId d = Dir(kRootInode, "d", 0000);
  EXPECT_TRUE(ns.Access(root, d, kMayExec).ok());
}

TEST_F(NsTest, CreateNeedsWriteAndSearchOnParent) {
  InodeId d = Dir(kRootInode, "d", 0755);
  EXPECT_EQ(ns.Create(alice, d, "f", NodeType::kFile, 0644, 0, 0, now).code(), Code::kAccess);
  Chmod(d, 0777);
  EXPECT_TRUE(ns.Create(alice, d, "f", NodeType::kFile, 0644, 0, 0, now).ok());
  Chmod(d, 0766);  // no search
  EXPECT_EQ(ns.Lookup(alice, d, "f").code(), Code::kAccess);
  EXPECT_EQ(ns.Unlink(alice, d, "f", now).code(), Code::kAccess);
}

TEST_F(NsTest, StickyDirectoryProtectsOthersFiles) {
  InodeId tmp = Dir(kRootInode, "tmp", 01777);
  File(tmp, "a", 0644, &alice);
  File(tmp, "b", 0644, &bob);
  EXPECT_EQ(ns.Unlink(bob, tmp, "a", now).code(), Code::kPerm);
  EXPECT_EQ(ns.Rename(bob, tmp, "a", tmp, "c", RenameFlags::kNone, now).code(), Code::kPerm);
  EXPECT_EQ(ns.Rename(alice, tmp, "a", tmp, "b", RenameFlags::kNone, now).code(), Code::kPerm)
      << "replacing bob's file is removing it";
  EXPECT_TRUE(ns.Unlink(alice, tmp, "a", now).ok());
  EXPECT_TRUE(ns.Unlink(root, tmp, "b", now).ok());
  // The directory's owner may remove anything in it.
  InodeId mine = Dir(kRootInode, "mine", 01777);
  Chown(mine, alice.uid, alice.gid);
  File(mine, "x", 0644, &bob);
  EXPECT_TRUE(ns.Unlink(alice, mine, "x", now).ok());
}

TEST_F(NsTest, SetgidDirectoryInheritance) {
  InodeId d = Dir(kRootInode, "shared", 02777);
  Chown(d, 0, 500);
  auto f = ns.Create(alice, d, "f", NodeType::kFile, 0644, 0, 0, now);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->gid, 500u) << "new nodes take the setgid directory's group";
  auto sub = ns.Mkdir(alice, d, "sub", 0755, 0, now);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->gid, 500u);
  EXPECT_TRUE(sub->mode & kModeSetGid) << "new directories inherit setgid";
  auto g = ns.Create(alice, d, "g", NodeType::kFile, 02755, 0, 0, now);
  EXPECT_FALSE(g->mode & kModeSetGid) << "alice is not in group 500";
  auto plain = ns.Mkdir(alice, kRootInode, "plain", 0755, 0, now);
  EXPECT_EQ(plain.code(), Code::kAccess);
}

}  // namespace
}  // namespace elk::master
