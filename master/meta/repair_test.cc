// mfsfilerepair through the logged operations: a chunk with a valid copy is left alone, one
// with only an older version on a server goes back to it, one with no copy becomes a hole;
// the REPAIR records replay (restart from the changelog) to the same namespace and chunks.

#include <gtest/gtest.h>

#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

class RepairMetaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("repair");
    Open();
    auto a = md_->chunks().RegisterServer({0x7f000001u, 9422}, 0, uint64_t{1} << 40, now_);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    server_a_ = *a;
  }
  void TearDown() override {
    md_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    MetadataOptions o;
    o.data_path = dir_;
    o.sync = changelog::SyncPolicy::kNever;
    o.auto_recover = true;
    auto md = Metadata::Open(o, now_);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    md_ = std::move(*md);
  }
  InodeId NewFile(const std::string& name) {
    auto f = md_->Create(Cred{}, kRootInode, name, NodeType::kFile, 0644, 0, 0, ++now_);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? f->inode : 0;
  }
  // One write of chunk 0 on server A, as a client's WRITE_CHUNK and WRITE_CHUNK_END.
  ChunkId Write(InodeId file) {
    auto w = md_->PrepareChunkWrite(Cred{}, file, 0, 7, ++now_);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (!w.ok()) return 0;
    if (w->created) {
      EXPECT_TRUE(md_->chunks().CreateDone(w->chunk, server_a_, true).ok());
    }
    EXPECT_TRUE(md_->ChunkWriteEnd(file, w->chunk, 1000, 7, now_).ok());
    return w->chunk;
  }
  std::string State() { return md_->ns().Dump() + md_->DumpChunks(); }

  std::string dir_;
  uint32_t now_ = 1000;
  ServerId server_a_ = kNoServer;
  std::unique_ptr<Metadata> md_;
};

TEST_F(RepairMetaTest, ValidChunksStayOlderVersionsComeBackLostOnesBecomeHoles) {
  const InodeId ok = NewFile("ok"), old = NewFile("old"), lost = NewFile("lost");
  const ChunkId ok_chunk = Write(ok), old_chunk = Write(old), lost_chunk = Write(lost);
  Write(old);  // version 2, on server A only
  ASSERT_EQ(md_->chunks().Find(old_chunk)->version(), 2u);
  // A goes away; B comes with the current version of ok's chunk and version 1 of old's.
  ASSERT_TRUE(md_->chunks().ServerDisconnected(server_a_, ++now_).ok());
  auto b = md_->chunks().RegisterServer({0x7f000002u, 9422}, 0, uint64_t{1} << 40, now_);
  ASSERT_TRUE(b.ok());
  const std::vector<ReportedChunk> held = {{ok_chunk, 1, false}, {old_chunk, 1, false}};
  ASSERT_TRUE(md_->chunks().ServerReportsChunks(*b, held).ok());

  auto r = md_->RepairFile(Cred{}, ok, ++now_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->not_changed, 1u);
  EXPECT_EQ(r->erased + r->repaired, 0u);
  r = md_->RepairFile(Cred{}, old, now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->repaired, 1u);
  EXPECT_EQ(md_->chunks().Find(old_chunk)->version(), 1u);
  auto readable = md_->ChunkForRead(old, 0);
  ASSERT_TRUE(readable.ok()) << readable.status().ToString();
  r = md_->RepairFile(Cred{}, lost, now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->erased, 1u);
  EXPECT_EQ(*md_->ns().ChunkAt(lost, 0), 0u);
  EXPECT_EQ(md_->chunks().Find(lost_chunk), nullptr);
  EXPECT_EQ(md_->ns().GetAttr(lost)->length, 1000u);  // reads as zeros, as MooseFS leaves it
  // Again: the hole counts as not changed, as MooseFS counts it.
  r = md_->RepairFile(Cred{}, lost, now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->not_changed, 1u);
  EXPECT_EQ(r->erased, 0u);

  // Another user without write permission changes nothing.
  EXPECT_FALSE(md_->RepairFile(Cred{1000, 1000, {}}, old, now_).ok());

  ASSERT_TRUE(md_->Commit().ok());
  const std::string before = State();
  md_.reset();
  Open();  // from the changelog: the REPAIR records replay
  EXPECT_EQ(State(), before);
  EXPECT_EQ(md_->chunks().Find(old_chunk)->version(), 1u);
}

}  // namespace
}  // namespace elk::master
