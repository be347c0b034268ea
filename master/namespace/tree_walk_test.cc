// The slice-at-a-time walk behind the server's recursive requests: on a tree that does not
// change it gives what one whole pass gives; between slices nodes may go, and are skipped.

#include <algorithm>
#include <vector>

#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

class TreeWalkTest : public NsTest {
 protected:
  // top/d0..d{dirs-1}/f0..f{files-1}, every third file owned by alice.
  InodeId Tree(int dirs, int files) {
    InodeId top = Dir(kRootInode, "top");
    for (int d = 0; d < dirs; ++d) {
      InodeId dir = Dir(top, Nm("d", d));
      for (int f = 0; f < files; ++f) {
        InodeId file = File(dir, Nm("f", f));
        if (f % 3 == 0) Chown(file, alice.uid, alice.gid);
      }
    }
    return top;
  }
  // Every id the walk visits, `budget` nodes a slice; slices counts the slices.
  std::vector<InodeId> Sliced(InodeId top, size_t budget, size_t* slices = nullptr) {
    TreeWalk walk(top);
    std::vector<InodeId> all;
    size_t n = 0;
    while (!walk.done() && n < 100000) {
      ns.WalkSome(walk, budget, &all);
      ++n;
    }
    if (slices != nullptr) *slices = n;
    return all;
  }
};

TEST_F(TreeWalkTest, SlicesVisitWhatOnePassVisits) {
  InodeId top = Tree(5, 20);
  auto whole = Sliced(top, SIZE_MAX);
  EXPECT_EQ(whole.size(), 1u + 5 + 5 * 20);
  for (size_t budget : {1, 2, 7, 64}) {
    size_t slices = 0;
    auto sliced = Sliced(top, budget, &slices);
    EXPECT_EQ(sliced, whole) << "budget " << budget;
    EXPECT_GT(slices, whole.size() / (budget + 20)) << "a slice did more than its budget";
  }
}

TEST_F(TreeWalkTest, AHugeDirectoryCountsItsEntriesAgainstTheBudget) {
  InodeId top = Tree(1, 1000);
  TreeWalk walk(top);
  std::vector<InodeId> ids;
  ns.WalkSome(walk, 10, &ids);
  EXPECT_EQ(ids.size(), 2u) << "top, then d0 with its 1000 entries ends the slice";
  EXPECT_EQ(walk.pending.size(), 1000u);
}

TEST_F(TreeWalkTest, SummariesBySliceEqualTheWholeTree) {
  InodeId top = Tree(4, 30);
  ASSERT_TRUE(ns.SetGoal(root, top, 5, SetMode::kSet, false, now).ok());
  TreeWalk walk(top);
  ValueSummary goals, trash;
  DirInfo info;
  for (int n = 0; !walk.done() && n < 1000; ++n) {
    std::vector<InodeId> ids;
    ns.WalkSome(walk, 9, &ids);
    ns.AddGoals(ids, &goals);
    ns.AddTrashTimes(ids, &trash);
    ns.AddDirInfo(ids, &info);
  }
  auto whole_goals = ns.GetGoalRecursive(top);
  ASSERT_TRUE(whole_goals.ok());
  EXPECT_EQ(goals.by_value.size(), 2u);
  EXPECT_EQ(goals.by_value[5].dirs, 1u);
  EXPECT_EQ(goals.by_value[2].files, 120u);
  for (const auto& [v, c] : whole_goals->by_value) {
    EXPECT_EQ(goals.by_value[v].files, c.files);
    EXPECT_EQ(goals.by_value[v].dirs, c.dirs);
  }
  auto whole_info = ns.GetDirInfo(top);
  EXPECT_EQ(info.inodes, whole_info->inodes);
  EXPECT_EQ(info.files, 120u);
  EXPECT_EQ(info.dirs, 5u);
  EXPECT_EQ(trash.by_value[86400].files, 120u);
}

TEST_F(TreeWalkTest, SetBySliceCountsLikeOnePass) {
  InodeId top = Tree(3, 12);
  TreeWalk walk(top);
  RecursiveSetCounts sliced;
  std::vector<InodeId> changed;
  for (int n = 0; !walk.done() && n < 1000; ++n) {
    std::vector<InodeId> ids;
    ns.WalkSome(walk, 5, &ids);
    auto r = ns.SetGoalOf(alice, ids, 4, SetMode::kSet, now + 1, &changed);
    ASSERT_TRUE(r.ok());
    sliced += *r;
  }
  EXPECT_EQ(sliced.changed, 12u) << "alice owns every third of 36 files";
  EXPECT_EQ(sliced.not_permitted, 1u + 3 + 24);
  EXPECT_EQ(changed.size(), 12u);
  for (InodeId id : changed) {
    EXPECT_EQ(Get(id).goal, 4);
    EXPECT_EQ(Get(id).ctime, FileTimeOf(now + 1));
  }
  // Again: nothing changes, and the same walk by root changes the rest.
  auto again = ns.SetGoalOf(alice, changed, 4, SetMode::kSet, now + 2, nullptr);
  EXPECT_EQ(again->not_changed, 12u);
  EXPECT_EQ(ns.SetGoalOf(alice, changed, 0, SetMode::kSet, now, nullptr).status().code(),
            Code::kInval);
  auto by_root =
      ns.SetTrashTimeOf(root, Sliced(top, SIZE_MAX), 7, SetMode::kIncrease, now, nullptr);
  EXPECT_EQ(by_root.changed, 0u) << "86400 is more than 7 already";
}

TEST_F(TreeWalkTest, DirectoriesRemovedBetweenSlicesAreSkipped) {
  InodeId top = Tree(3, 4);
  TreeWalk walk(top);
  std::vector<InodeId> ids;
  ns.WalkSome(walk, 1, &ids);  // top: its three directories are pending now
  ASSERT_EQ(walk.pending.size(), 3u);
  for (int d = 0; d < 3; ++d) {
    InodeId dir = ns.Lookup(root, top, Nm("d", d))->inode;
    for (int f = 0; f < 4; ++f)
      ASSERT_TRUE(ns.Unlink(root, dir, Nm("f", f), now).ok());
    ASSERT_TRUE(ns.Rmdir(root, top, Nm("d", d), now).ok());
  }
  for (int n = 0; !walk.done() && n < 100; ++n)
    ns.WalkSome(walk, 1, &ids);
  EXPECT_TRUE(walk.done());
  EXPECT_EQ(ids, std::vector<InodeId>{top});
}

TEST_F(TreeWalkTest, FilesUnlinkedToTrashBetweenSlicesAreSkipped) {
  InodeId top = Tree(1, 10);
  InodeId d0 = ns.Lookup(root, top, "d0")->inode;
  ASSERT_TRUE(ns.SetTrashTime(root, top, 3600, SetMode::kSet, true, now).ok());
  TreeWalk walk(top);
  std::vector<InodeId> ids;
  ns.WalkSome(walk, 1, &ids);
  ns.WalkSome(walk, 1, &ids);  // d0: its ten files are pending now
  ASSERT_EQ(ids, (std::vector<InodeId>{top, d0}));
  ASSERT_EQ(walk.pending.size(), 10u);
  // f0 moves out of the tree (still visited: it was in the tree when d0 was), the rest go
  // to trash (still nodes, but no longer in any directory: skipped).
  InodeId f0 = ns.Lookup(root, d0, "f0")->inode;
  ASSERT_TRUE(ns.Rename(root, d0, "f0", kRootInode, "moved", RenameFlags{}, now).ok());
  for (int f = 1; f < 10; ++f)
    ASSERT_TRUE(ns.Unlink(root, d0, Nm("f", f), now).ok());
  EXPECT_EQ(ns.ListTrash().size(), 9u);
  for (int n = 0; !walk.done() && n < 100; ++n)
    ns.WalkSome(walk, 3, &ids);
  EXPECT_EQ(ids, (std::vector<InodeId>{top, d0, f0}));
  ValueSummary s;
  ns.AddGoals(ids, &s);
  EXPECT_EQ(s.by_value[2].files, 1u);
  EXPECT_EQ(s.by_value[2].dirs, 2u);
}

}  // namespace
}  // namespace elk::master
