// The maximum file length through the logged operations: writes at the largest legal
// chunk indexes and lengths are logged, saved in the image and replayed to the same state;
// everything past the maximum is EFBIG and logs nothing.

#include <gtest/gtest.h>

#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

class FileLengthMetaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("filelen");
    Open();
    ConnectServers(md_->chunks(), now_);
    auto f = md_->Create(Cred{}, kRootInode, "f", NodeType::kFile, 0644, 0, 0, now_);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    file_ = f->inode;
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
  // One write of chunk `index` ending at `end`, as a client's WRITE_CHUNK and WRITE_CHUNK_END.
  Status Write(uint32_t index, uint64_t end) {
    auto w = md_->PrepareChunkWrite(Cred{}, file_, index, 7, ++now_);
    if (!w.ok()) return w.status();
    return md_->ChunkWriteEnd(file_, w->chunk, end, 7, now_);
  }

  std::string dir_;
  std::unique_ptr<Metadata> md_;
  uint32_t now_ = 1000;
  InodeId file_ = 0;
};

TEST_F(FileLengthMetaTest, PastTheMaximumIsRefusedAndNothingIsLogged) {
  ASSERT_TRUE(Write(0, 10).ok());
  const uint64_t version = md_->version();
  EXPECT_EQ(Write(kMaxChunkIndex + 1, kMaxFileLength + 1).code(), Code::kIndexTooBig);
  EXPECT_EQ(md_->ChunkForRead(file_, kMaxChunkIndex + 1).status().code(), Code::kIndexTooBig);
  SetAttrRequest req;
  req.length = uint64_t{256} << 50;
  EXPECT_EQ(md_->SetAttr(Cred{}, file_, req, now_).status().code(), Code::kTooBig);
  req.length = kMaxFileLength + 1;
  EXPECT_EQ(md_->SetAttr(Cred{}, file_, req, now_).status().code(), Code::kTooBig);
  EXPECT_EQ(md_->PunchChunks(Cred{}, file_, kMaxChunkIndex, 2, now_).code(), Code::kIndexTooBig);
  EXPECT_EQ(md_->PunchChunks(Cred{}, file_, 0, UINT32_MAX, now_).code(), Code::kIndexTooBig);
  EXPECT_EQ(md_->version(), version) << "nothing refused is logged";
  auto w = md_->PrepareChunkWrite(Cred{}, file_, 1, 7, ++now_);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const uint64_t after_write = md_->version();
  EXPECT_EQ(md_->ChunkWriteEnd(file_, w->chunk, kMaxFileLength + 5, 7, now_).code(), Code::kTooBig);
  EXPECT_EQ(md_->version(), after_write) << "a refused write end logs no LENGTH";
  EXPECT_GT(after_write, version);
  EXPECT_EQ(md_->ns().GetAttr(file_)->length, 10u);
  EXPECT_NE(*md_->ns().ChunkAt(file_, 0), 0u) << "the data is still there";
}

TEST_F(FileLengthMetaTest, LargestOffsetsSurviveImageAndReplay) {
  // One chunk at every doubling index up to the last, the last one making the file as
  // long as a file may be: the image holds these, the changelog after it the rest.
  for (uint32_t i = 1; i <= kMaxChunkIndex / 2; i *= 2) {
    ASSERT_TRUE(Write(i, uint64_t{i} * kChunkSize + 1).ok()) << i;
  }
  ASSERT_TRUE(md_->SaveImage(now_).ok());
  ASSERT_TRUE(Write(kMaxChunkIndex, kMaxFileLength).ok());
  auto copy = md_->MakeSnapshot(Cred{}, file_, kRootInode, "copy", false, ++now_);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  ASSERT_TRUE(md_->Commit().ok());
  EXPECT_EQ(md_->ns().GetAttr(file_)->length, kMaxFileLength);
  const std::string before = md_->ns().Dump();

  md_.reset();  // as a crash: the image, then the changelog replayed
  Open();
  EXPECT_EQ(md_->ns().Dump(), before);
  ASSERT_TRUE(md_->Stop(++now_).ok());
  md_.reset();  // a clean stop: everything in the image
  Open();
  EXPECT_EQ(md_->ns().Dump(), before);
  EXPECT_EQ(md_->ns().GetAttr(copy->inode)->length, kMaxFileLength);
  EXPECT_EQ(RegistryChunks(md_->chunks()),
            ExpectedChunks(md_->ns(), md_->chunks().next_chunk_id()));
}

}  // namespace
}  // namespace elk::master
