// The image sections: a namespace and a registry after a random workload round-trip exactly;
// any truncation or damage of the bytes is refused, never a crash.

#include <gtest/gtest.h>

#include "master/meta/state.h"
#include "master/meta/test_workload.h"
#include "master/namespace/namespace.h"

namespace elk::master {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("store");
    MetadataOptions o;
    o.data_path = dir_;
    o.sync = changelog::SyncPolicy::kNever;
    auto md = Metadata::Open(o, 1000);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    md_ = std::move(*md);
    ConnectServers(md_->chunks(), 1000);
    Workload w(7, /*days_pass=*/true);
    for (int i = 0; i < 3000; ++i) {
      Op op = w.Next(md_->ns());
      (void)RunLive(*md_, op);
    }
    // At least one item in trash, whatever the random history left.
    auto f = md_->Create(Cred{}, kRootInode, "to-trash", NodeType::kFile, 0644, 0, 0, 5000000);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE(md_->SetTrashTime(Cred{}, f->inode, 999999, SetMode::kSet, false, 5000000).ok());
    ASSERT_TRUE(md_->Unlink(Cred{}, kRootInode, "to-trash", 5000000).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::unique_ptr<Metadata> md_;
};

TEST_F(StoreTest, NamespaceRoundTripsExactly) {
  std::string bytes = md_->ns().SerializeNodes();
  MemoryChunkRefs refs;
  Namespace copy(refs, 5);
  ASSERT_TRUE(copy.LoadNodes(bytes).ok());
  EXPECT_EQ(copy.Dump(), md_->ns().Dump());
  EXPECT_EQ(copy.SerializeNodes(), bytes);
  EXPECT_EQ(refs.size(), 0u);  // loading counts no references
  // The workload reached the interesting corners.
  const std::string dump = copy.Dump();
  for (const char* kind : {"\nC ", "\nR ", "\nS ", "\nX ", "\nT ", "\nO ", "\nE "}) {
    EXPECT_NE(dump.find(kind), std::string::npos) << kind;
  }
}

TEST_F(StoreTest, LoadedNamespaceAllocatesLikeTheOriginal) {
  MemoryChunkRefs refs;
  Namespace copy(refs, 5);
  ASSERT_TRUE(copy.LoadNodes(md_->ns().SerializeNodes()).ok());
  auto a = copy.Mkdir(Cred{}, kRootInode, "new-after-load", 0755, 0, 99);
  auto b = md_->ns().Mkdir(Cred{}, kRootInode, "new-after-load", 0755, 0, 99);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->inode, b->inode);
}

TEST_F(StoreTest, ImageRoundTripsNamespaceAndChunks) {
  auto img = md_->MakeImage(5);
  ASSERT_TRUE(img.ok());
  auto copy = Metadata::FromImage(&*img);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ((*copy)->ns().Dump(), md_->ns().Dump());
  EXPECT_EQ((*copy)->DumpChunks(), md_->DumpChunks());
  EXPECT_EQ((*copy)->version(), md_->version());
  EXPECT_NE(md_->DumpChunks().find("g"), std::string::npos);
}

// Depth costs no stack anywhere: a chain of 200,000 folders is snapshotted, saved in an
// image, loaded again and replayed from the changelog whole.
TEST(DeepTreeTest, SnapshotImageAndReplayOfA200000DeepChain) {
  constexpr int kDepth = 200000;
  const std::string dir = TempDir("deep");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto depth_of = [](const Namespace& ns, std::string_view top) {
    int depth = 0;
    for (auto at = ns.Lookup(Cred{}, kRootInode, top); at.ok(); ++depth)
      at = ns.Lookup(Cred{}, at->inode, "d");
    return depth;
  };
  {
    auto md = Metadata::Open(o, 1000);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    auto at = (*md)->Mkdir(Cred{}, kRootInode, "deep", 0755, 0, 1000);
    ASSERT_TRUE(at.ok());
    InodeId parent = at->inode;
    for (int i = 0; i < kDepth; ++i) {
      auto d = (*md)->Mkdir(Cred{}, parent, "d", 0755, 0, 1000);
      ASSERT_TRUE(d.ok());
      parent = d->inode;
    }
    ASSERT_TRUE((*md)->SaveImage(1001).ok());
    ASSERT_TRUE((*md)->MakeSnapshot(Cred{}, kRootInode + 1, kRootInode, "copy", false, 1002).ok());
    ASSERT_TRUE((*md)->Commit().ok());
    // Dropped without Stop: the snapshot is replayed from the changelog on the image.
  }
  MetadataOptions again = o;
  again.auto_recover = true;
  auto md = Metadata::Open(again, 1003);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(depth_of((*md)->ns(), "deep"), kDepth + 1);
  EXPECT_EQ(depth_of((*md)->ns(), "copy"), kDepth + 1);
  ASSERT_TRUE((*md)->Stop(1004).ok());
  auto clean = Metadata::Open(o, 1005);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_EQ(depth_of((*clean)->ns(), "copy"), kDepth + 1);
  std::filesystem::remove_all(dir);
}

TEST_F(StoreTest, EveryTruncationIsRefused) {
  const std::string bytes = md_->ns().SerializeNodes();
  MemoryChunkRefs refs;
  size_t step = std::max<size_t>(1, bytes.size() / 3000);
  for (size_t n = 0; n < bytes.size(); n += step) {
    Namespace copy(refs, 5);
    Status s = copy.LoadNodes(std::string_view(bytes).substr(0, n));
    EXPECT_EQ(s.code(), Code::kCorruption) << "prefix " << n;
  }
}

TEST_F(StoreTest, DamagedBytesNeverCrash) {
  const std::string bytes = md_->ns().SerializeNodes();
  const std::string chunks = md_->MakeImage(5)->Find("CHNK")->data;
  std::mt19937 rng(3);
  MemoryChunkRefs refs;
  for (int i = 0; i < 2000; ++i) {
    std::string bad = bytes;
    for (int k = 0; k < 3; ++k)
      bad[rng() % bad.size()] = static_cast<char>(rng());
    Namespace copy(refs, 5);
    Status s = copy.LoadNodes(bad);
    if (s.ok()) (void)copy.Dump();  // a damage that still parses must still be usable
    std::string bad_chunks = chunks;
    bad_chunks[rng() % bad_chunks.size()] = static_cast<char>(rng());
    ChunkRegistry reg;
    (void)meta_internal::LoadChunks(bad_chunks, &reg);
  }
}

}  // namespace
}  // namespace elk::master
