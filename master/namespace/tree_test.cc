#include <set>

#include "master/namespace/old_image.h"
#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

TEST_F(NsTest, RootDefaults) {
  Attr r = Get(kRootInode);
  EXPECT_EQ(r.type, NodeType::kDirectory);
  EXPECT_EQ(r.goal, 2);
  EXPECT_EQ(r.trashtime, 86400u);
  EXPECT_EQ(r.nlink, 2u);
  EXPECT_EQ(r.mode, 0755);
}

TEST_F(NsTest, CreateInheritsAndUpdatesParent) {
  now = 2000;
  InodeId f = File(kRootInode, "f", 0666);
  Attr a = Get(f);
  EXPECT_EQ(a.type, NodeType::kFile);
  EXPECT_EQ(a.nlink, 1u);
  EXPECT_EQ(a.goal, 2);
  EXPECT_EQ(a.trashtime, 86400u);
  EXPECT_EQ(a.ctime, FileTimeOf(2000));
  EXPECT_EQ(Get(kRootInode).mtime, FileTimeOf(2000));
  auto l = ns.Lookup(root, kRootInode, "f");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->inode, f);
}

TEST_F(NsTest, CreateAppliesUmaskAndOwner) {
  Chmod(kRootInode, 0777);
  auto a = ns.Create(alice, kRootInode, "x", NodeType::kFile, 0666, 022, 0, now);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->mode, 0644);
  EXPECT_EQ(a->uid, 1000u);
  EXPECT_EQ(a->gid, 100u);
}

TEST_F(NsTest, CreateErrors) {
  InodeId f = File(kRootInode, "f");
  auto c = [&](InodeId p, std::string_view n) {
    return ns.Create(root, p, n, NodeType::kFile, 0644, 0, 0, now).code();
  };
  EXPECT_EQ(c(kRootInode, "f"), Code::kExist);
  EXPECT_EQ(c(f, "g"), Code::kNotDir);
  EXPECT_EQ(c(999, "g"), Code::kNoEnt);
  EXPECT_EQ(c(kRootInode, ""), Code::kInval);
  EXPECT_EQ(c(kRootInode, "a/b"), Code::kInval);
  EXPECT_EQ(c(kRootInode, std::string_view("a\0b", 3)), Code::kInval);
  EXPECT_EQ(c(kRootInode, std::string(256, 'x')), Code::kNameTooLong);
  EXPECT_EQ(c(kRootInode, std::string(255, 'x')), Code::kOk);
  EXPECT_EQ(c(kRootInode, "."), Code::kExist);
  EXPECT_EQ(c(kRootInode, ".."), Code::kExist);
  EXPECT_EQ(ns.Create(root, kRootInode, "d", NodeType::kDirectory, 0, 0, 0, now).code(),
            Code::kInval);
}

TEST_F(NsTest, NodeTypesAndDevices) {
  auto fifo = ns.Create(root, kRootInode, "p", NodeType::kFifo, 0600, 0, 0, now);
  auto sock = ns.Create(root, kRootInode, "s", NodeType::kSocket, 0600, 0, 0, now);
  auto blk = ns.Create(root, kRootInode, "b", NodeType::kBlockDev, 0600, 0, 0x0801, now);
  auto chr = ns.Create(root, kRootInode, "c", NodeType::kCharDev, 0600, 0, 0x0103, now);
  ASSERT_TRUE(fifo.ok() && sock.ok() && blk.ok() && chr.ok());
  EXPECT_EQ(Get(blk->inode).rdev, 0x0801u);
  EXPECT_EQ(Get(chr->inode).rdev, 0x0103u);
  EXPECT_EQ(Get(fifo->inode).type, NodeType::kFifo);
}

TEST_F(NsTest, MkdirLinksCount) {
  InodeId d = Dir(kRootInode, "d");
  EXPECT_EQ(Get(kRootInode).nlink, 3u);
  EXPECT_EQ(Get(d).nlink, 2u);
  auto dot = ns.Lookup(root, d, ".");
  auto dotdot = ns.Lookup(root, d, "..");
  EXPECT_EQ(dot->inode, d);
  EXPECT_EQ(dotdot->inode, kRootInode);
  EXPECT_EQ(ns.Lookup(root, d, "nope").code(), Code::kNoEnt);
}

TEST_F(NsTest, SymlinkAndReadlink) {
  auto s = ns.Symlink(root, kRootInode, "l", "../target", now);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->length, 9u);
  EXPECT_EQ(*ns.Readlink(s->inode), "../target");
  InodeId f = File(kRootInode, "f");
  EXPECT_EQ(ns.Readlink(f).code(), Code::kInval);
  EXPECT_EQ(ns.Symlink(root, kRootInode, "l", "x", now).code(), Code::kExist);
}

TEST_F(NsTest, HardLinks) {
  InodeId d = Dir(kRootInode, "d");
  InodeId f = File(kRootInode, "f");
  auto l = ns.Link(root, f, d, "g", now);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->nlink, 2u);
  EXPECT_EQ(ns.Lookup(root, d, "g")->inode, f);
  EXPECT_EQ(ns.Link(root, d, kRootInode, "dd", now).code(), Code::kPerm);
  EXPECT_EQ(ns.Link(root, f, d, "g", now).code(), Code::kExist);
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "f", now).ok());
  EXPECT_EQ(Get(f).nlink, 1u);
  EXPECT_TRUE(ns.ListTrash().empty()) << "a file with links left is not trash";
}

TEST_F(NsTest, UnlinkAndRmdir) {
  InodeId d = Dir(kRootInode, "d");
  File(d, "f");
  EXPECT_EQ(ns.Unlink(root, kRootInode, "d", now).code(), Code::kIsDir);
  EXPECT_EQ(ns.Rmdir(root, kRootInode, "d", now).code(), Code::kNotEmpty);
  EXPECT_EQ(ns.Rmdir(root, d, "f", now).code(), Code::kNotDir);
  EXPECT_EQ(ns.Rmdir(root, d, ".", now).code(), Code::kInval);
  EXPECT_EQ(ns.Unlink(root, d, "zz", now).code(), Code::kNoEnt);
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  ASSERT_TRUE(ns.Rmdir(root, kRootInode, "d", now).ok());
  EXPECT_EQ(ns.GetAttr(d).code(), Code::kNoEnt);
  EXPECT_EQ(Get(kRootInode).nlink, 2u);
}

TEST_F(NsTest, InodeNumbersCoolBeforeTheLowestFreeIsReused) {
  InodeId a = File(kRootInode, "a");
  InodeId b = File(kRootInode, "b");
  InodeId c = File(kRootInode, "c");
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "b", now).ok());
  ASSERT_TRUE(ns.PurgeTrashItem(b, now).ok());
  now += 10;
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "a", now).ok());
  ASSERT_TRUE(ns.PurgeTrashItem(a, now).ok());
  // Freed numbers are not handed out again while they cool: new files get new ones.
  InodeId fresh = File(kRootInode, "x");
  EXPECT_GT(fresh, c);
  // b has cooled, a not yet (it was freed 10 s later).
  now += NodeTable::kReuseDelay - 10;
  EXPECT_EQ(File(kRootInode, "y"), b);
  EXPECT_EQ(File(kRootInode, "z"), fresh + 1);
  now += 10;
  EXPECT_EQ(File(kRootInode, "w"), a);
}

TEST_F(NsTest, CoolingNumbersSurviveAnImage) {
  // A format-1 image (nothing cooling, the section ends after the open counts) loads.
  const std::string old = old_image::RootAndFile(1, {}, {});
  Namespace from_old(refs, 0);
  ASSERT_TRUE(from_old.LoadNodes(old, 1).ok());
  EXPECT_FALSE(from_old.LoadNodes(old, 2).ok());  // a format-2 image cannot end there
  InodeId a = File(kRootInode, "a");
  InodeId b = File(kRootInode, "b");
  File(kRootInode, "c");
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "b", now).ok());
  ASSERT_TRUE(ns.PurgeTrashItem(b, now).ok());
  now += 100;
  ASSERT_TRUE(ns.Unlink(root, kRootInode, "a", now).ok());
  ASSERT_TRUE(ns.PurgeTrashItem(a, now).ok());
  const std::string bytes = ns.SerializeNodes();
  MemoryChunkRefs refs2;
  Namespace copy(refs2, 0);
  ASSERT_TRUE(copy.LoadNodes(bytes).ok());
  EXPECT_EQ(copy.SerializeNodes(), bytes);
  // Both hand out the same numbers from here: b once it has cooled, then new ones.
  now += NodeTable::kReuseDelay - 50;
  for (const char* name : {"x", "y", "z"}) {
    auto live = ns.Create(root, kRootInode, name, NodeType::kFile, 0644, 0, 0, now);
    auto loaded = copy.Create(root, kRootInode, name, NodeType::kFile, 0644, 0, 0, now);
    ASSERT_TRUE(live.ok() && loaded.ok());
    EXPECT_EQ(live->inode, loaded->inode) << name;
    if (std::string_view(name) == "x") {
      EXPECT_EQ(live->inode, b);
    }
  }
  EXPECT_EQ(copy.Dump(), ns.Dump());
}

TEST_F(NsTest, ReaddirListsAllWithDots) {
  InodeId d = Dir(kRootInode, "d");
  for (int i = 0; i < 10; ++i)
    File(d, Nm("f", i));
  std::set<std::string> names;
  uint64_t cookie = 0;
  for (;;) {
    auto page = ns.Readdir(root, d, cookie, 3);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& e : *page)
      EXPECT_TRUE(names.insert(e.name).second) << e.name;
    cookie = page->back().next_cookie;
  }
  EXPECT_EQ(names.size(), 12u);
  EXPECT_TRUE(names.count(".") && names.count(".."));
}

TEST_F(NsTest, ReaddirCookiesStableWhileChanging) {
  InodeId d = Dir(kRootInode, "d");
  for (int i = 0; i < 100; ++i)
    File(d, Nm("keep", i));
  for (int i = 0; i < 100; ++i)
    File(d, Nm("gone", i));
  std::map<std::string, int> seen;
  uint64_t cookie = 0;
  int added = 0;
  for (int round = 0;; ++round) {
    auto page = ns.Readdir(root, d, cookie, 7);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    for (const auto& e : *page)
      ++seen[e.name];
    cookie = page->back().next_cookie;
    if (round < 20) {
      for (int k = 0; k < 5; ++k) {
        (void)ns.Unlink(root, d, Nm("gone", round * 5 + k), now);
      }
      File(d, Nm("new", added++));
    }
  }
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(seen[Nm("keep", i)], 1) << i;
  for (const auto& [name, count] : seen)
    EXPECT_EQ(count, 1) << name;
}

TEST_F(NsTest, ReaddirNeedsReadPermission) {
  InodeId d = Dir(kRootInode, "d", 0711);
  EXPECT_EQ(ns.Readdir(alice, d, 0, 10).code(), Code::kAccess);
  EXPECT_EQ(ns.Readdir(root, kRootInode + 100, 0, 10).code(), Code::kNoEnt);
}

TEST_F(NsTest, StatsCountFilesDirsAndLength) {
  InodeId d = Dir(kRootInode, "d");
  InodeId f = File(d, "f");
  File(d, "g");
  SetAttrRequest req;
  req.length = 1234;
  ASSERT_TRUE(ns.SetAttr(root, f, req, now).ok());
  StatFs s = ns.Stats();
  EXPECT_EQ(s.dirs, 2u);
  EXPECT_EQ(s.files, 2u);
  EXPECT_EQ(s.total_length, 1234u);
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  s = ns.Stats();
  EXPECT_EQ(s.files, 1u);
  EXPECT_EQ(s.trash_files, 1u);
  EXPECT_EQ(s.trash_length, 1234u);
}

}  // namespace
}  // namespace elk::master
