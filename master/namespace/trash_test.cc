#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

class TrashTest : public NsTest {
 protected:
  // A file d/f with two chunks of its own.
  void SetUp() override {
    d = Dir(kRootInode, "d");
    f = File(d, "f");
    for (ChunkId c : {ChunkId{500}, ChunkId{501}}) {
      refs.Ref(c, kDefaultGoal);
      ASSERT_TRUE(ns.SetChunk(f, static_cast<uint32_t>(c - 500), c).ok());
    }
  }
  InodeId d = 0;
  InodeId f = 0;
};

TEST_F(TrashTest, ANodeFreedWhileOpenLeavesNoOpenCountBehind) {
  const InodeId e = Dir(d, "e");
  ASSERT_TRUE(ns.Open(e, 7).ok());  // a session holds a directory open
  ASSERT_TRUE(ns.Rmdir(root, d, "e", now).ok());
  EXPECT_FALSE(ns.IsOpen(e));
  // The saved nodes load again (a dangling open count made the image unloadable).
  MemoryChunkRefs other_refs;
  Namespace other{other_refs, 1000};
  EXPECT_TRUE(other.LoadNodes(ns.SerializeNodes()).ok());
  ns.Close(e, 7, now);  // the session's late close is harmless
}

TEST_F(TrashTest, PunchLeavesHolesAndDropsReferences) {
  SetAttrRequest len;
  len.length = 2 * kChunkSize;
  ASSERT_TRUE(ns.SetAttr(root, f, len, now).ok());
  ASSERT_TRUE(ns.PunchChunks(root, f, 0, 1, now + 5).ok());
  EXPECT_EQ(*ns.ChunkAt(f, 0), 0u);
  EXPECT_EQ(*ns.ChunkAt(f, 1), 501u);
  EXPECT_EQ(refs.Count(500), 0u);
  EXPECT_EQ(Get(f).length, 2 * kChunkSize) << "the length stays";
  EXPECT_EQ(Get(f).mtime, FileTimeOf(now + 5));
  // Past the end and over holes: nothing to do, no error.
  EXPECT_TRUE(ns.PunchChunks(root, f, 0, 100, now).ok());
  EXPECT_EQ(refs.Count(501), 0u);
  EXPECT_EQ(ns.PunchChunks(eve, f, 0, 1, now).code(), Code::kAccess);
  EXPECT_EQ(ns.PunchChunks(root, d, 0, 1, now).code(), Code::kIsDir);
}

TEST_F(TrashTest, UnlinkMovesToTrashWithPath) {
  ASSERT_TRUE(ns.Unlink(root, d, "f", 5000).ok());
  auto trash = ns.ListTrash();
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].inode, f);
  EXPECT_EQ(trash[0].path, "/d/f");
  EXPECT_EQ(trash[0].expires, 5000u + 86400u);
  EXPECT_EQ(Get(f).nlink, 0u);
  EXPECT_EQ(refs.Count(500), 1u) << "trash keeps the chunks";
  EXPECT_EQ(ns.Link(root, f, d, "again", now).code(), Code::kNoEnt);
}

TEST_F(TrashTest, PurgeExpiredIsBoundedAndReturnsChunks) {
  std::vector<InodeId> files;
  for (int i = 0; i < 5; ++i)
    files.push_back(File(d, Nm("t", i)));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(ns.Unlink(root, d, Nm("t", i), 100).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "f", 200).ok());
  EXPECT_TRUE(ns.PurgeExpired(100 + 86399, 10).empty());
  EXPECT_EQ(ns.ListTrash().size(), 6u) << "nothing expired yet";
  ns.PurgeExpired(100 + 86400, 3);
  EXPECT_EQ(ns.ListTrash().size(), 3u) << "at most 3 per call";
  ns.PurgeExpired(100 + 86400, 3);
  EXPECT_EQ(ns.ListTrash().size(), 1u) << "f expires later";
  auto gone = ns.PurgeExpired(200 + 86400, 3);
  EXPECT_EQ(gone, (std::vector<ChunkId>{500, 501}));
  EXPECT_TRUE(ns.ListTrash().empty());
  EXPECT_EQ(ns.GetAttr(f).code(), Code::kNoEnt);
  EXPECT_EQ(refs.Count(500), 0u);
}

TEST_F(TrashTest, PurgeOneItemOnDemand) {
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  auto gone = ns.PurgeTrashItem(f, now);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->size(), 2u);
  EXPECT_EQ(ns.PurgeTrashItem(f, now).code(), Code::kNoEnt);
}

TEST_F(TrashTest, UndeleteRestoresAtPath) {
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  ASSERT_TRUE(ns.Undelete(f, now + 1).ok());
  EXPECT_EQ(ns.Lookup(root, d, "f")->inode, f);
  EXPECT_EQ(Get(f).nlink, 1u);
  EXPECT_TRUE(ns.ListTrash().empty());
  EXPECT_EQ(ns.Undelete(f, now).code(), Code::kNoEnt);
}

// The meta mount's write to a trash item: undelete then restores where it says, making
// the folders that are missing; the path survives an image (SerializeNodes / LoadNodes).
TEST_F(TrashTest, UndeleteRestoresAtASetPath) {
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  EXPECT_EQ(ns.GetDetached(f, true)->path, "/d/f");
  EXPECT_EQ(ns.SetTrashPath(f, "new//g").code(), Code::kInval);
  ASSERT_TRUE(ns.SetTrashPath(f, "new/place/g").ok());
  EXPECT_EQ(ns.GetDetached(f, true)->path, "/new/place/g");
  EXPECT_EQ(ns.ListTrash().at(0).path, "/new/place/g");
  MemoryChunkRefs other_refs;
  Namespace other{other_refs, 1000};
  ASSERT_TRUE(other.LoadNodes(ns.SerializeNodes()).ok());
  EXPECT_EQ(other.Dump(), ns.Dump());
  EXPECT_EQ(other.GetDetached(f, true)->path, "/new/place/g");
  ASSERT_TRUE(ns.Undelete(f, now + 1).ok());
  auto nw = ns.Lookup(root, kRootInode, "new");
  ASSERT_TRUE(nw.ok());
  auto place = ns.Lookup(root, nw->inode, "place");
  ASSERT_TRUE(place.ok());
  EXPECT_EQ(ns.Lookup(root, place->inode, "g")->inode, f);
  EXPECT_EQ(ns.Lookup(root, d, "f").code(), Code::kNoEnt);
}

TEST_F(TrashTest, SetTrashPathOnlyForTrashItems) {
  EXPECT_EQ(ns.SetTrashPath(f, "x").code(), Code::kNoEnt);  // a live file
  EXPECT_EQ(ns.GetDetached(f, true).code(), Code::kNoEnt);
  ASSERT_TRUE(ns.Open(f, 7).ok());
  ASSERT_TRUE(ns.SetTrashTime(root, f, 0, SetMode::kSet, false, now).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());  // open, no trash time: reserved
  EXPECT_EQ(ns.GetDetached(f, false)->path, "/d/f");
  EXPECT_EQ(ns.GetDetached(f, true).code(), Code::kNoEnt);
  EXPECT_EQ(ns.SetTrashPath(f, "x").code(), Code::kNoEnt);
}

TEST_F(TrashTest, RestorePathsAreCheckedAndNormalized) {
  EXPECT_EQ(*Namespace::NormalizeTrashPath("a/b"), "/a/b");
  EXPECT_EQ(*Namespace::NormalizeTrashPath("/a/b"), "/a/b");
  EXPECT_EQ(*Namespace::NormalizeTrashPath("f"), "/f");
  const std::string name255(255, 'n');
  EXPECT_EQ(*Namespace::NormalizeTrashPath(name255), "/" + name255);
  for (const std::string& bad :
       std::vector<std::string>{"", "/", "//a", "a//b", "a/", "./a", "a/../b", "a/..", ".",
                                std::string(256, 'n'), std::string("a\0b", 3)}) {
    EXPECT_EQ(Namespace::NormalizeTrashPath(bad).code(), Code::kInval) << bad;
  }
  std::string longest;
  while (longest.size() + 11 <= kMaxTrashPathLength - 1)
    longest += "0123456789/";
  longest += std::string(kMaxTrashPathLength - 1 - longest.size(), 'x');
  EXPECT_TRUE(Namespace::NormalizeTrashPath(longest).ok());  // 4096 with its '/'
  EXPECT_EQ(Namespace::NormalizeTrashPath(longest + "y").code(), Code::kInval);
}

TEST_F(TrashTest, UndeleteRefusesTakenName) {
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  File(d, "f");
  EXPECT_EQ(ns.Undelete(f, now).code(), Code::kExist);
  EXPECT_EQ(ns.ListTrash().size(), 1u);
}

TEST_F(TrashTest, UndeleteRecreatesMissingParents) {
  InodeId deep = Dir(d, "x");
  InodeId g = File(deep, "g");
  ASSERT_TRUE(ns.Unlink(root, deep, "g", now).ok());
  ASSERT_TRUE(ns.Rmdir(root, d, "x", now).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  ASSERT_TRUE(ns.Rmdir(root, kRootInode, "d", now).ok());
  ASSERT_TRUE(ns.Undelete(g, now).ok());
  auto nd = ns.Lookup(root, kRootInode, "d");
  ASSERT_TRUE(nd.ok());
  auto nx = ns.Lookup(root, nd->inode, "x");
  ASSERT_TRUE(nx.ok());
  EXPECT_EQ(nx->mode, 0755);
  EXPECT_EQ(ns.Lookup(root, nx->inode, "g")->inode, g);
  // A path component that is now a file blocks the restore.
  ASSERT_TRUE(ns.Rmdir(root, kRootInode, "d", now).code() == Code::kNotEmpty);
  ASSERT_TRUE(ns.Unlink(root, nx->inode, "g", now).ok());
  ASSERT_TRUE(ns.Rmdir(root, nd->inode, "x", now).ok());
  File(nd->inode, "x");
  EXPECT_EQ(ns.Undelete(g, now).code(), Code::kNotDir);
}

TEST_F(TrashTest, OpenUnlinkedFileWithoutTrashGoesToReserved) {
  ASSERT_TRUE(ns.SetTrashTime(root, f, 0, SetMode::kSet, false, now).ok());
  ASSERT_TRUE(ns.Open(f, 7).ok());
  ASSERT_TRUE(ns.Open(f, 8).ok());
  EXPECT_EQ(ns.Open(9999, 8).code(), Code::kNoEnt);
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  auto reserved = ns.ListReserved();
  ASSERT_EQ(reserved.size(), 1u);
  EXPECT_EQ(reserved[0].path, "/d/f");
  EXPECT_TRUE(ns.ListTrash().empty());
  EXPECT_TRUE(ns.Close(f, 7, now).empty());
  EXPECT_TRUE(ns.GetAttr(f).ok()) << "session 8 still has it open";
  EXPECT_EQ(ns.Close(f, 8, now), (std::vector<ChunkId>{500, 501}));
  EXPECT_EQ(ns.GetAttr(f).code(), Code::kNoEnt);
  EXPECT_TRUE(ns.ListReserved().empty());
}

TEST_F(TrashTest, UnlinkWithoutTrashFreesAtOnce) {
  ASSERT_TRUE(ns.SetTrashTime(root, f, 0, SetMode::kSet, false, now).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  EXPECT_EQ(ns.GetAttr(f).code(), Code::kNoEnt);
  EXPECT_EQ(refs.Count(500), 0u);
}

TEST_F(TrashTest, ExpiredButOpenMovesToReserved) {
  ASSERT_TRUE(ns.Open(f, 1).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  EXPECT_TRUE(ns.PurgeExpired(now + 86400, 10).empty());
  EXPECT_TRUE(ns.ListTrash().empty());
  ASSERT_EQ(ns.ListReserved().size(), 1u);
  EXPECT_EQ(ns.Close(f, 1, now).size(), 2u);
}

TEST_F(TrashTest, TrashPathIsThatOfTheLastLink) {
  InodeId other = Dir(kRootInode, "other");
  ASSERT_TRUE(ns.Link(root, f, other, "alias", now).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "f", now).ok());
  EXPECT_TRUE(ns.ListTrash().empty());
  ASSERT_TRUE(ns.Unlink(root, other, "alias", now).ok());
  ASSERT_EQ(ns.ListTrash().size(), 1u);
  EXPECT_EQ(ns.ListTrash()[0].path, "/other/alias");
}

TEST_F(TrashTest, RenameOverOpenFileWithoutTrashReservesIt) {
  InodeId g = File(d, "g");
  ASSERT_TRUE(ns.SetTrashTime(root, f, 0, SetMode::kSet, false, now).ok());
  ASSERT_TRUE(ns.Open(f, 3).ok());
  ASSERT_TRUE(ns.Rename(root, d, "g", d, "f", RenameFlags::kNone, now).ok());
  EXPECT_EQ(ns.Lookup(root, d, "f")->inode, g);
  ASSERT_EQ(ns.ListReserved().size(), 1u);
  EXPECT_EQ(ns.ListReserved()[0].inode, f);
  EXPECT_EQ(refs.Count(500), 1u);
  ns.Close(f, 3, now);
  EXPECT_EQ(refs.Count(500), 0u);
}

TEST_F(TrashTest, OnlyFilesGoToTrash) {
  auto link = ns.Symlink(root, d, "l", "f", now);
  auto fifo = ns.Create(root, d, "p", NodeType::kFifo, 0644, 0, 0, now);
  ASSERT_TRUE(link.ok() && fifo.ok());
  ASSERT_TRUE(ns.Unlink(root, d, "l", now).ok());
  ASSERT_TRUE(ns.Unlink(root, d, "p", now).ok());
  EXPECT_TRUE(ns.ListTrash().empty());
  EXPECT_EQ(ns.GetAttr(link->inode).code(), Code::kNoEnt);
  EXPECT_EQ(ns.GetAttr(fifo->inode).code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::master
