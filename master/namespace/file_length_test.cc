// The maximum file length (common/file_limits.h) at every door of the namespace: past it
// the answer is EFBIG (kTooBig or kIndexTooBig), nothing changes, and nothing wraps.

#include "master/namespace/byte_codec.h"
#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

class FileLengthTest : public NsTest {
 protected:
  InodeId f = File(kRootInode, "f");

  void Give(InodeId inode, uint32_t index, ChunkId c) {
    refs.Ref(c, kDefaultGoal);
    ASSERT_TRUE(ns.SetChunk(inode, index, c).ok());
  }
  Status Truncate(InodeId inode, uint64_t length) {
    SetAttrRequest req;
    req.length = length;
    return ns.SetAttr(root, inode, req, now).status();
  }
};

// Live requests past the maximum are refused before they reach the namespace (Metadata,
// tested in master/meta); a length an older master logged still replays, and its chunk
// count no longer wraps: 256 PiB (2^32 chunks) once kept 0 chunks and dropped them all.
TEST_F(FileLengthTest, LongLengthsFromOlderLogsKeepTheData) {
  Give(f, 0, 11);
  ASSERT_TRUE(Truncate(f, 5).ok());
  ASSERT_TRUE(Truncate(f, uint64_t{256} << 50).ok());
  EXPECT_EQ(*ns.ChunkAt(f, 0), 11u);
  EXPECT_EQ(refs.Count(11), 1u);
  ASSERT_TRUE(Truncate(f, UINT64_MAX).ok());
  EXPECT_EQ(*ns.ChunkAt(f, 0), 11u);
  ASSERT_TRUE(Truncate(f, 5).ok());
  EXPECT_EQ(*ns.ChunkAt(f, 0), 11u);
  ASSERT_TRUE(Truncate(f, 0).ok());
  EXPECT_EQ(refs.Count(11), 0u);
}

TEST_F(FileLengthTest, ChunkIndexesPastTheLastAreRefused) {
  Give(f, kMaxChunkIndex, 5);
  EXPECT_EQ(*ns.ChunkAt(f, kMaxChunkIndex), 5u);
  EXPECT_EQ(ns.SetChunk(f, kMaxChunkIndex + 1, 6).code(), Code::kIndexTooBig);
  EXPECT_EQ(ns.ChunkAt(f, kMaxChunkIndex + 1).status().code(), Code::kIndexTooBig);
  EXPECT_EQ(ns.ChunkAt(f, UINT32_MAX).status().code(), Code::kIndexTooBig);
  ASSERT_TRUE(ns.PunchChunks(root, f, UINT32_MAX, UINT32_MAX, now).ok()) << "nothing there";
  EXPECT_EQ(refs.Count(5), 1u);
  ASSERT_TRUE(ns.PunchChunks(root, f, 0, kMaxChunkIndex + 1, now).ok());
  EXPECT_EQ(refs.Count(5), 0u);
}

TEST_F(FileLengthTest, AppendChunksStopsAtTheMaximum) {
  InodeId src = File(kRootInode, "src");
  Give(src, 0, 7);
  ASSERT_TRUE(Truncate(src, 10).ok());
  ASSERT_TRUE(Truncate(f, kMaxFileLength - kChunkSize).ok());
  const InodeId srcs[] = {src};
  ASSERT_TRUE(ns.AppendChunks(root, f, srcs, now).ok()) << "exactly fills the last chunk";
  EXPECT_EQ(ns.GetAttr(f)->length, kMaxFileLength - kChunkSize + 10);
  EXPECT_EQ(*ns.ChunkAt(f, kMaxChunkIndex), 7u);
  EXPECT_EQ(ns.AppendChunks(root, f, srcs, now).code(), Code::kIndexTooBig);
  EXPECT_EQ(ns.GetAttr(f)->length, kMaxFileLength - kChunkSize + 10);
  EXPECT_EQ(refs.Count(7), 2u);
  const InodeId self[] = {f};
  EXPECT_EQ(ns.AppendChunks(root, f, self, now).code(), Code::kIndexTooBig);
}

TEST_F(FileLengthTest, SparseFilesSnapshotAppendAndSurviveTheImage) {
  Give(f, 0, 1);
  Give(f, kMaxChunkIndex / 2, 2);
  ASSERT_TRUE(Truncate(f, kMaxFileLength / 2).ok());
  auto snap = ns.MakeSnapshot(root, f, kRootInode, "copy", false, now);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(*ns.ChunkAt(snap->inode, kMaxChunkIndex / 2), 2u);
  EXPECT_EQ(refs.Count(2), 2u);
  InodeId g = File(kRootInode, "g");
  const InodeId srcs[] = {snap->inode};
  ASSERT_TRUE(ns.AppendChunks(root, g, srcs, now).ok());
  EXPECT_EQ(*ns.ChunkAt(g, kMaxChunkIndex / 2), 2u);
  const InodeId self[] = {f};
  ASSERT_TRUE(ns.AppendChunks(root, f, self, now).ok()) << "half plus half fits";
  EXPECT_EQ(*ns.ChunkAt(f, kMaxChunkIndex / 2 + kMaxChunkIndex / 2 + 1), 2u);

  std::string image = ns.SerializeNodes();
  EXPECT_LT(image.size(), 4096u) << "a sparse file's image costs its chunks, not its length";
  MemoryChunkRefs refs2;
  Namespace copy{refs2, 1000};
  ASSERT_TRUE(copy.LoadNodes(image).ok());
  EXPECT_EQ(copy.Dump(), ns.Dump());
  EXPECT_EQ(*copy.ChunkAt(f, kMaxChunkIndex), 2u);
}

// A node as images of every format write it, up to and including the flags.
void PutNode(ByteWriter& w, InodeId id, NodeType type, uint64_t length) {
  w.Var(id);
  w.Byte(static_cast<uint8_t>(type));
  for (uint64_t v : {0755, 0, 0, 1, 1, 1, 1})  // mode uid gid atime mtime ctime nlink
    w.Var(v);
  w.Var(length);
  w.Byte(kDefaultGoal);
  w.Var(kDefaultTrashTime);
  w.Var(type == NodeType::kDirectory ? kRootInode : 0);
  w.Byte(0);
}

// A format-2 NODE section (every chunk slot listed, holes as 0) still loads, and saves
// again in the sparse form to the same namespace.
TEST(FileLengthStoreTest, DenseChunkListsOfOlderImagesLoad) {
  ByteWriter w;
  PutNode(w, kRootInode, NodeType::kDirectory, 0);
  w.Var(0);   // no chunks
  w.Byte(0);  // no rdev
  w.Var(0);   // no xattrs
  w.Str("");
  w.Var(1);  // next seq
  w.Var(1);  // one entry
  w.Var(0);
  w.Str("f");
  w.Var(2);
  PutNode(w, 2, NodeType::kFile, 3 * kChunkSize);
  for (uint64_t v : {3, 5, 0, 7})  // three slots: 5, a hole, 7
    w.Var(v);
  w.Byte(0);
  w.Var(0);
  for (int i = 0; i < 5; ++i)  // end of nodes; no trash, reserved, opens, cooling
    w.Var(0);
  const std::string old = w.Take();
  MemoryChunkRefs refs;
  Namespace ns{refs, 1000};
  ASSERT_TRUE(ns.LoadNodes(old, /*format=*/2).ok());
  EXPECT_EQ(*ns.Chunks(2), (std::vector<ChunkId>{5, 0, 7}));
  Namespace again{refs, 1000};
  ASSERT_TRUE(again.LoadNodes(ns.SerializeNodes()).ok());
  EXPECT_EQ(again.Dump(), ns.Dump());
  Namespace misread{refs, 1000};
  EXPECT_FALSE(misread.LoadNodes(old).ok()) << "the formats differ; the META format picks one";
}

}  // namespace
}  // namespace elk::master
