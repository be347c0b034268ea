// Determinism: the same calls in the same order build the same namespace.

#include <random>

#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

// A pseudo-random but seeded mix of operations, including failing ones.
void Script(Namespace& ns, uint32_t seed) {
  std::mt19937 rng(seed);
  Cred root{};
  Cred user{1000, 100, {}};
  std::vector<InodeId> dirs{kRootInode};
  for (uint32_t step = 0; step < 2000; ++step) {
    uint32_t now = 10000 + step;
    InodeId dir = dirs[rng() % dirs.size()];
    std::string name = Nm("n", rng() % 50);
    switch (rng() % 9) {
      case 0:
        if (auto d = ns.Mkdir(root, dir, name, 0777, 0, now); d.ok()) dirs.push_back(d->inode);
        break;
      case 1:
      case 2:
        (void)ns.Create(user, dir, name, NodeType::kFile, 0644, 022, 0, now);
        break;
      case 3:
        (void)ns.Unlink(user, dir, name, now);
        break;
      case 4:
        (void)ns.Rename(root, dir, name, dirs[rng() % dirs.size()], "r" + name, RenameFlags::kNone,
                        now);
        break;
      case 5:
        (void)ns.SetXattr(root, dir, "user." + name, name, XattrFlags::kAny, now);
        break;
      case 6:
        if (auto a = ns.Lookup(root, dir, name); a.ok() && a->type == NodeType::kFile) {
          (void)ns.SetChunk(a->inode, static_cast<uint32_t>(rng() % 3), step + 1);
        }
        break;
      case 7:
        (void)ns.PurgeExpired(now + 86400, 2);
        break;
      case 8:
        if (auto a = ns.Lookup(root, dir, name); a.ok() && a->type == NodeType::kDirectory) {
          (void)ns.MakeSnapshot(root, a->inode, kRootInode, Nm("s", step), false, now);
        }
        break;
    }
  }
}

TEST(DumpTest, SameCallsSameDump) {
  MemoryChunkRefs r1, r2;
  Namespace a(r1, 5), b(r2, 5);
  Script(a, 42);
  Script(b, 42);
  EXPECT_EQ(a.Dump(), b.Dump());
  EXPECT_GT(a.NodeCount(), 50u);
}

TEST(DumpTest, DifferentHistoryDifferentDump) {
  MemoryChunkRefs r1, r2;
  Namespace a(r1, 5), b(r2, 5);
  Script(a, 1);
  Script(b, 2);
  EXPECT_NE(a.Dump(), b.Dump());
}

TEST_F(NsTest, DumpEscapesNamesAndShowsEverything) {
  InodeId f = File(kRootInode, "a b\n%");
  ASSERT_TRUE(ns.SetXattr(root, f, "user.x", "1", XattrFlags::kAny, now).ok());
  std::string dump = ns.Dump();
  EXPECT_NE(dump.find("a%20b%0A%25"), std::string::npos) << dump;
  EXPECT_NE(dump.find("X 2 user.x 1"), std::string::npos) << dump;
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "a b\n%", now).ok());
  EXPECT_NE(ns.Dump().find("T 2 "), std::string::npos);
}

}  // namespace
}  // namespace elk::master
