// Confinement: which nodes a session mounted on a folder may reach, through creates, hard
// links, renames, unlinks, trash and images.

#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

class FileParentsTest : public NsTest {
 protected:
  void SetUp() override {
    a = Dir(kRootInode, "a");
    b = Dir(kRootInode, "b");
    deep = Dir(Dir(a, "x"), "y");
    f = File(deep, "f");
  }
  bool In(InodeId top, InodeId node, uint32_t session = 1) { return ns.Within(top, node, session); }
  InodeId a = 0, b = 0, deep = 0, f = 0;
};

TEST_F(FileParentsTest, NodesUnderTheFolderOnly) {
  EXPECT_TRUE(In(a, a));
  EXPECT_TRUE(In(a, deep));
  EXPECT_TRUE(In(a, f));
  EXPECT_FALSE(In(b, f));
  EXPECT_FALSE(In(b, deep));
  EXPECT_FALSE(In(a, kRootInode));
  EXPECT_FALSE(In(deep, a));
  EXPECT_TRUE(In(kRootInode, f));
  EXPECT_TRUE(In(a, 999999));  // no such node: the request answers kNoEnt itself
}

TEST_F(FileParentsTest, HardLinksReachFromEveryParent) {
  ASSERT_TRUE(ns.Link(root, f, b, "g", now).ok());
  EXPECT_TRUE(In(a, f));
  EXPECT_TRUE(In(b, f));
  ASSERT_TRUE(ns.Unlink(root, deep, "f", now).ok());  // the first link goes
  EXPECT_FALSE(In(a, f));
  EXPECT_TRUE(In(b, f));
  ASSERT_TRUE(ns.Link(root, f, deep, "again", now).ok());
  EXPECT_TRUE(In(a, f));
  ASSERT_TRUE(ns.Unlink(root, b, "g", now).ok());
  EXPECT_FALSE(In(b, f));
  EXPECT_TRUE(In(a, f));
}

// The monitor's open files list each file by the paths of its links.
TEST_F(FileParentsTest, PathsOfEveryLinkWithinABudget) {
  size_t budget = 1000;
  EXPECT_EQ(ns.PathsOf(f, budget), std::vector<std::string>{"/a/x/y/f"});
  ASSERT_TRUE(ns.Link(root, f, b, "g", now).ok());
  ASSERT_TRUE(ns.Link(root, f, b, "h", now).ok());
  EXPECT_EQ(ns.PathsOf(f, budget), (std::vector<std::string>{"/a/x/y/f", "/b/g", "/b/h"}));
  const InodeId top = File(kRootInode, "top");
  EXPECT_EQ(ns.PathsOf(top, budget), std::vector<std::string>{"/top"});
  EXPECT_EQ(ns.PathsOf(deep, budget), std::vector<std::string>{"/a/x/y"});
  EXPECT_EQ(ns.PathsOf(kRootInode, budget), std::vector<std::string>{"/"});
  size_t one = 1;  // one entry read: /a/x/y holds f first, the rest is not read
  EXPECT_EQ(ns.PathsOf(f, one), std::vector<std::string>{"/a/x/y/f"});
  EXPECT_EQ(one, 0u);
  EXPECT_TRUE(ns.PathsOf(f, one).empty());
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "top", now).ok());  // to trash
  EXPECT_TRUE(ns.PathsOf(top, budget).empty());
}

TEST_F(FileParentsTest, RenameMovesTheParent) {
  ASSERT_TRUE(ns.Rename(root, deep, "f", b, "f2", RenameFlags::kNone, now).ok());
  EXPECT_FALSE(In(a, f));
  EXPECT_TRUE(In(b, f));
  const InodeId other = File(a, "other");
  ASSERT_TRUE(ns.Rename(root, b, "f2", a, "other", RenameFlags::kExchange, now).ok());
  EXPECT_TRUE(In(a, f));
  EXPECT_FALSE(In(b, f));
  EXPECT_TRUE(In(b, other));
  EXPECT_FALSE(In(a, other));
}

TEST_F(FileParentsTest, MovingAFolderMovesWhatIsInIt) {
  ASSERT_TRUE(ns.Rename(root, a, "x", b, "x", RenameFlags::kNone, now).ok());
  EXPECT_FALSE(In(a, f));
  EXPECT_TRUE(In(b, f));
}

TEST_F(FileParentsTest, UnlinkedFilesOnlyForTheSessionsHoldingThemOpen) {
  ASSERT_TRUE(ns.Open(f, 7).ok());
  ASSERT_TRUE(ns.Unlink(root, deep, "f", now).ok());  // trash time 86400: to trash
  EXPECT_TRUE(In(a, f, 7));
  EXPECT_FALSE(In(a, f, 8));
  (void)ns.Close(f, 7, now);
  EXPECT_FALSE(In(a, f, 7));
  ASSERT_TRUE(ns.Undelete(f, now).ok());
  EXPECT_TRUE(In(a, f));
}

TEST_F(FileParentsTest, AnImageKeepsEveryParent) {
  ASSERT_TRUE(ns.Link(root, f, b, "g", now).ok());
  ASSERT_TRUE(ns.Link(root, f, b, "h", now).ok());
  ASSERT_TRUE(ns.Link(root, f, a, "i", now).ok());
  MemoryChunkRefs refs2;
  Namespace copy(refs2, now);
  ASSERT_TRUE(copy.LoadNodes(ns.SerializeNodes()).ok());
  EXPECT_EQ(copy.Dump(), ns.Dump());
  // The same unlinks leave both in the same state: the same primary parent is chosen.
  for (Namespace* n : {&ns, &copy}) {
    ASSERT_TRUE(n->Unlink(root, deep, "f", now).ok());
    ASSERT_TRUE(n->Unlink(root, b, "g", now).ok());
    EXPECT_TRUE(n->Within(a, f, 1));
    EXPECT_TRUE(n->Within(b, f, 1));
  }
  EXPECT_EQ(copy.Dump(), ns.Dump());
}

TEST_F(FileParentsTest, SnapshotsAndTheirFilesBelongToTheirFolder) {
  auto snap = ns.MakeSnapshot(root, a, b, "snap", false, now);
  ASSERT_TRUE(snap.ok());
  auto x = ns.Lookup(root, snap->inode, "x");
  ASSERT_TRUE(x.ok());
  auto y = ns.Lookup(root, x->inode, "y");
  ASSERT_TRUE(y.ok());
  auto copy = ns.Lookup(root, y->inode, "f");
  ASSERT_TRUE(copy.ok());
  EXPECT_TRUE(In(b, copy->inode));
  EXPECT_FALSE(In(a, copy->inode));
}

}  // namespace
}  // namespace elk::master
