// CLTOMA_GETDIRSTATS (mfsdirinfo) against an in-process master: every figure of a known
// tree with a sparse file, a hard link, a symlink, an empty file, a 1,000-deep chain and a
// folder wide enough that the walk takes several slices; and the session's confinement.
#include <fmt/format.h>

#include "master/server/test_master.h"

namespace elk::master::test {
namespace {

namespace proto = protocol;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kChunk = 64 * kMiB;
constexpr uint64_t kHeader = 8192;  // each stored chunk's header
constexpr uint64_t kBlock = 65536;
constexpr int kDepth = 1000;
constexpr int kWide = 20000;  // more than one slice (16384 nodes and entries)

struct Built {
  InodeId top = 0;
  InodeId chain = 0;
};

InodeId Must(const Result<Attr>& a) {
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? a->inode : 0;
}

// A file of `length` with chunks at `indexes`, goal `goal`. Chunks are set straight in the
// namespace: only the file's chunk list matters to dirinfo.
InodeId FileWith(Metadata& m, InodeId parent, const std::string& name, uint64_t length,
                 std::vector<uint32_t> indexes, uint8_t goal) {
  InodeId f = Must(m.Create(Cred{}, parent, name, NodeType::kFile, 0644, 0, 0, 10));
  SetAttrRequest req;
  req.length = length;
  EXPECT_TRUE(m.SetAttr(Cred{}, f, req, 10).ok());
  EXPECT_TRUE(m.SetGoal(Cred{}, f, goal, SetMode::kSet, false, 10).ok());
  for (uint32_t i : indexes)
    EXPECT_TRUE(m.ns().SetChunk(f, i, 1000 + f * 100 + i).ok());
  return f;
}

Built BuildTree(Metadata& m) {
  Built b;
  b.top = Must(m.Mkdir(Cred{}, kRootInode, "t", 0755, 0, 10));
  InodeId a = FileWith(m, b.top, "a", 150000000, {0, 1, 2}, 2);
  FileWith(m, b.top, "sparse", 10 * kChunk + 100, {0, 10}, 3);  // 9 holes between
  FileWith(m, b.top, "empty", 0, {}, 2);
  EXPECT_TRUE(m.Link(Cred{}, a, b.top, "a_again", 10).ok());
  EXPECT_TRUE(m.Symlink(Cred{}, b.top, "sym", "a", 10).ok());
  InodeId d = b.chain = Must(m.Mkdir(Cred{}, b.top, "c", 0755, 0, 10));
  for (int i = 1; i < kDepth; ++i)
    d = Must(m.Mkdir(Cred{}, d, "c", 0755, 0, 10));
  FileWith(m, d, "bottom", 1, {0}, 1);
  InodeId wide = Must(m.Mkdir(Cred{}, b.top, "wide", 0755, 0, 10));
  for (int i = 0; i < kWide; ++i)
    Must(m.Create(Cred{}, wide, fmt::format("e{}", i), NodeType::kFile, 0644, 0, 0, 10));
  return b;
}

TEST_F(MasterServerTest, DirStatsCountsEveryFigureOfAKnownTree) {
  Built b;
  StartServer(kRwExports, "", [&b](MasterServer& s) { b = BuildTree(s.metadata()); });
  TestClient c = Client();
  ASSERT_TRUE(c.Register("/").ok());
  auto r = c.Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, b.top});
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  // t, a, sparse, empty, a_again (the same file, counted again as in MooseFS), sym, the
  // chain's folders and its bottom file, wide and its empty files.
  EXPECT_EQ(r->inodes, 1u + 5 + kDepth + 1 + 1 + kWide);
  EXPECT_EQ(r->dirs, 1u + kDepth + 1);
  EXPECT_EQ(r->files, 3u + 1 + 1 + kWide) << "a symlink is an inode, not a file";
  EXPECT_EQ(r->chunks, 3u + 2 + 3 + 1) << "the sparse file's holes are not chunks";
  EXPECT_EQ(r->length, 2 * 150000000 + 10 * kChunk + 100 + 1);
  // a: two whole chunks and a 15794176-byte tail (241 blocks), each with its header;
  // sparse: chunk 0 whole, chunk 10 one block; bottom: one block.
  const uint64_t a_size = 2 * (kChunk + kHeader) + 241 * kBlock + kHeader;
  const uint64_t sparse_size = (kChunk + kHeader) + (kBlock + kHeader);
  const uint64_t bottom_size = kBlock + kHeader;
  EXPECT_EQ(r->size, 2 * a_size + sparse_size + bottom_size);
  EXPECT_EQ(r->realsize, 2 * a_size * 2 + sparse_size * 3 + bottom_size * 1);

  // A file alone, and the chain alone (its bottom file included).
  auto chain = c.Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, b.chain});
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->inodes, kDepth + 1u);
  EXPECT_EQ(chain->dirs, static_cast<uint64_t>(kDepth));
  EXPECT_EQ(chain->size, bottom_size);
  EXPECT_EQ(c.Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, 999999}).code(),
            Code::kNoEnt);
}

TEST_F(MasterServerTest, DirStatsStaysInsideTheSessionsFolder) {
  Built b;
  StartServer(kRwExports, "", [&b](MasterServer& s) { b = BuildTree(s.metadata()); });
  TestClient c = Client();
  auto reg = c.Register("/t/c");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  ASSERT_EQ(reg->root_inode, b.chain);
  EXPECT_EQ(c.Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, b.top}).code(),
            Code::kNoEnt);
  EXPECT_EQ(c.Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, kRootInode}).code(),
            Code::kNoEnt);
  auto mine = c.Call<proto::MatoclGetdirstats>(proto::CltomaGetdirstats{0, b.chain});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->inodes, kDepth + 1u);
}

}  // namespace
}  // namespace elk::master::test
