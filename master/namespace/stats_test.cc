// Stats() is kept as the namespace changes: after any sequence of operations it equals a
// full walk, and a loaded image counts the same.

#include <random>

#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

bool operator==(const StatFs& a, const StatFs& b) {
  return a.files == b.files && a.dirs == b.dirs && a.total_length == b.total_length &&
         a.trash_files == b.trash_files && a.trash_length == b.trash_length &&
         a.reserved_files == b.reserved_files && a.reserved_length == b.reserved_length;
}

std::string Show(const StatFs& s) {
  return fmt::format("files {} dirs {} length {} trash {}/{} reserved {}/{}", s.files, s.dirs,
                     s.total_length, s.trash_files, s.trash_length, s.reserved_files,
                     s.reserved_length);
}

class StatsTest : public NsTest {
 protected:
  // Any name in any of the folders made so far; names repeat so some calls fail.
  InodeId AnyDir() { return dirs[rng() % dirs.size()]; }
  std::string AnyName() { return Nm("n", static_cast<long>(rng() % 12)); }
  InodeId AnyNode() {
    auto listed = ns.Readdir(root, AnyDir(), 0, 100);
    if (!listed.ok() || listed->size() <= 2) return 0;
    return (*listed)[2 + rng() % (listed->size() - 2)].inode;
  }
  void Step() {
    const InodeId dir = AnyDir();
    switch (rng() % 11) {
      case 0:
      case 1:
        (void)ns.Create(root, dir, AnyName(), NodeType::kFile, 0644, 0, 0, now);
        break;
      case 2:
        if (auto a = ns.Mkdir(root, dir, AnyName(), 0755, 0, now); a.ok()) dirs.push_back(a->inode);
        break;
      case 3:
        (void)ns.Symlink(root, dir, AnyName(), "target/of/some/length", now);
        break;
      case 4:
      case 5: {
        SetAttrRequest req;
        req.length = rng() % (3 * kChunkSize);
        if (InodeId n = AnyNode(); n != 0) (void)ns.SetAttr(root, n, req, now);
        break;
      }
      case 6:
        (void)ns.Unlink(root, dir, AnyName(), now);
        break;
      case 7:
        (void)ns.Rename(root, dir, AnyName(), AnyDir(), AnyName(), RenameFlags::kNone, now);
        break;
      case 8:
        if (InodeId n = AnyNode(); n != 0) {
          (void)ns.Open(n, 1);
          opened.push_back(n);
        }
        break;
      case 9:
        if (!opened.empty()) {
          ns.Close(opened.back(), 1, now);
          opened.pop_back();
        }
        break;
      case 10:
        if (rng() % 2 == 0) {
          (void)ns.MakeSnapshot(root, AnyDir(), kRootInode, AnyName(), rng() % 2 == 0, now);
        } else if (auto trash = ns.ListTrash(); !trash.empty()) {
          const InodeId t = trash[rng() % trash.size()].inode;
          if (rng() % 2 == 0) {
            (void)ns.Undelete(t, now);
          } else {
            (void)ns.PurgeTrashItem(t, now);
          }
        }
        break;
    }
    ++now;
    if (rng() % 50 == 0) ns.PurgeExpired(now + 100000, 5);
  }

  std::mt19937 rng{17};
  std::vector<InodeId> dirs{kRootInode};
  std::vector<InodeId> opened;
};

TEST_F(StatsTest, CountersEqualAWalkAfterRandomOperations) {
  for (int i = 0; i < 4000; ++i) {
    Step();
    // Removed folders stay in `dirs`: calls in them fail, which is part of the test.
    ASSERT_TRUE(ns.Stats() == ns.WalkStats())
        << "after step " << i << ": kept " << Show(ns.Stats()) << ", walk " << Show(ns.WalkStats());
  }
  const StatFs s = ns.Stats();
  EXPECT_GT(s.files, 0u);
  EXPECT_GT(s.dirs, 1u);
  EXPECT_GT(s.total_length, 0u);
  EXPECT_GT(s.trash_files, 0u);
}

TEST_F(StatsTest, ALoadedImageCountsWhatWasSaved) {
  for (int i = 0; i < 1000; ++i)
    Step();
  MemoryChunkRefs other_refs;
  Namespace other{other_refs, 1000};
  ASSERT_TRUE(other.LoadNodes(ns.SerializeNodes()).ok());
  EXPECT_TRUE(other.Stats() == ns.Stats()) << Show(other.Stats()) << " vs " << Show(ns.Stats());
  EXPECT_TRUE(other.Stats() == other.WalkStats());
}

}  // namespace
}  // namespace elk::master
