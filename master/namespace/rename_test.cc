#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

Status Mv(Namespace& ns, InodeId sp, std::string_view sn, InodeId dp, std::string_view dn,
          RenameFlags flags = RenameFlags::kNone) {
  return ns.Rename(Cred{}, sp, sn, dp, dn, flags, 2000);
}

TEST_F(NsTest, RenameWithinAndAcrossDirectories) {
  InodeId a = Dir(kRootInode, "a");
  InodeId b = Dir(kRootInode, "b");
  InodeId f = File(a, "f");
  ASSERT_TRUE(Mv(ns, a, "f", a, "g").ok());
  EXPECT_EQ(ns.Lookup(root, a, "g")->inode, f);
  EXPECT_EQ(ns.Lookup(root, a, "f").code(), Code::kNoEnt);
  ASSERT_TRUE(Mv(ns, a, "g", b, "h").ok());
  EXPECT_EQ(ns.Lookup(root, b, "h")->inode, f);
  EXPECT_EQ(Get(f).ctime, FileTimeOf(2000));
  EXPECT_EQ(Get(a).mtime, FileTimeOf(2000));
}

TEST_F(NsTest, RenameDirectoryFixesParentAndLinks) {
  InodeId a = Dir(kRootInode, "a");
  InodeId b = Dir(kRootInode, "b");
  InodeId d = Dir(a, "d");
  EXPECT_EQ(Get(a).nlink, 3u);
  ASSERT_TRUE(Mv(ns, a, "d", b, "d").ok());
  EXPECT_EQ(Get(a).nlink, 2u);
  EXPECT_EQ(Get(b).nlink, 3u);
  EXPECT_EQ(ns.Lookup(root, d, "..")->inode, b);
}

TEST_F(NsTest, RenameOverExistingFileReplacesIt) {
  InodeId f = File(kRootInode, "f");
  InodeId g = File(kRootInode, "g");
  ASSERT_TRUE(Mv(ns, kRootInode, "f", kRootInode, "g").ok());
  EXPECT_EQ(ns.Lookup(root, kRootInode, "g")->inode, f);
  auto trash = ns.ListTrash();
  ASSERT_EQ(trash.size(), 1u) << "the replaced file went to trash";
  EXPECT_EQ(trash[0].inode, g);
  EXPECT_EQ(trash[0].path, "/g");
}

TEST_F(NsTest, RenameMatrixOfTypes) {
  InodeId d1 = Dir(kRootInode, "d1");
  Dir(kRootInode, "d2");
  InodeId full = Dir(kRootInode, "full");
  File(full, "x");
  File(kRootInode, "f");
  EXPECT_EQ(Mv(ns, kRootInode, "f", kRootInode, "d2").code(), Code::kIsDir);
  EXPECT_EQ(Mv(ns, kRootInode, "d1", kRootInode, "f").code(), Code::kNotDir);
  EXPECT_EQ(Mv(ns, kRootInode, "d1", kRootInode, "full").code(), Code::kNotEmpty);
  ASSERT_TRUE(Mv(ns, kRootInode, "d1", kRootInode, "d2").ok()) << "empty dir over empty dir";
  EXPECT_EQ(ns.Lookup(root, kRootInode, "d2")->inode, d1);
  EXPECT_EQ(Get(kRootInode).nlink, 4u);  // d2 (was d1) and full
  EXPECT_EQ(Mv(ns, kRootInode, "nope", kRootInode, "x").code(), Code::kNoEnt);
  EXPECT_EQ(Mv(ns, kRootInode, "f", kRootInode, ".").code(), Code::kInval);
  EXPECT_EQ(Mv(ns, kRootInode, "f", kRootInode, std::string(256, 'n')).code(), Code::kNameTooLong);
}

TEST_F(NsTest, RenameRefusesMovingIntoOwnSubtree) {
  InodeId a = Dir(kRootInode, "a");
  InodeId b = Dir(a, "b");
  InodeId c = Dir(b, "c");
  EXPECT_EQ(Mv(ns, kRootInode, "a", c, "a").code(), Code::kInval);
  EXPECT_EQ(Mv(ns, kRootInode, "a", a, "self").code(), Code::kInval);
  EXPECT_TRUE(Mv(ns, b, "c", kRootInode, "c").ok()) << "moving up is fine";
}

TEST_F(NsTest, RenameNoReplace) {
  File(kRootInode, "f");
  File(kRootInode, "g");
  EXPECT_EQ(Mv(ns, kRootInode, "f", kRootInode, "g", RenameFlags::kNoReplace).code(), Code::kExist);
  EXPECT_TRUE(Mv(ns, kRootInode, "f", kRootInode, "h", RenameFlags::kNoReplace).ok());
}

TEST_F(NsTest, RenameExchange) {
  InodeId a = Dir(kRootInode, "a");
  InodeId b = Dir(kRootInode, "b");
  InodeId f = File(a, "f");
  InodeId d = Dir(b, "d");
  ASSERT_TRUE(Mv(ns, a, "f", b, "d", RenameFlags::kExchange).ok());
  EXPECT_EQ(ns.Lookup(root, a, "f")->inode, d);
  EXPECT_EQ(ns.Lookup(root, b, "d")->inode, f);
  EXPECT_EQ(ns.Lookup(root, d, "..")->inode, a);
  EXPECT_EQ(Get(a).nlink, 3u);
  EXPECT_EQ(Get(b).nlink, 2u);
  EXPECT_EQ(Mv(ns, a, "f", b, "none", RenameFlags::kExchange).code(), Code::kNoEnt);
  EXPECT_EQ(Mv(ns, kRootInode, "a", a, "f", RenameFlags::kExchange).code(), Code::kInval)
      << "exchanging a with its own child would detach it";
}

TEST_F(NsTest, RenameHardLinkToItselfIsNoop) {
  InodeId f = File(kRootInode, "f");
  ASSERT_TRUE(ns.Link(root, f, kRootInode, "g", now).ok());
  ASSERT_TRUE(Mv(ns, kRootInode, "f", kRootInode, "g").ok());
  EXPECT_EQ(ns.Lookup(root, kRootInode, "f")->inode, f);
  EXPECT_EQ(Get(f).nlink, 2u);
}

TEST_F(NsTest, RenameDirectoryToOtherParentNeedsWriteOnIt) {
  InodeId a = Dir(kRootInode, "a", 0777);
  InodeId b = Dir(kRootInode, "b", 0777);
  Dir(a, "d", 0555, &alice);
  InodeId d = ns.Lookup(root, a, "d")->inode;
  Chown(d, alice.uid, alice.gid);
  EXPECT_EQ(ns.Rename(bob, a, "d", b, "d", RenameFlags::kNone, now).code(), Code::kAccess);
  EXPECT_TRUE(ns.Rename(bob, a, "d", a, "e", RenameFlags::kNone, now).ok());
}

}  // namespace
}  // namespace elk::master
