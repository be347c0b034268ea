// THE recovery test: a long random history, SIGKILL-like crashes at random points (the
// Metadata dropped without SaveImage after its acknowledged operations were committed, and
// sometimes a torn record of an unacknowledged one), restarts with -a, and each time the
// state must equal a model namespace that applied exactly the acknowledged operations.
// Then the same from the changelogs alone through mfsmetarestore's code, and damaged
// files refused with their names.

#include <gtest/gtest.h>

#include <fstream>

#include "common/changelog/reader.h"
#include "common/image/image_file.h"
#include "master/meta/restore.h"
#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

MetadataOptions Options(const std::string& dir, bool recover) {
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;  // the file's bytes are all a crash test needs
  o.auto_recover = recover;
  return o;
}

void FlipByte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(at));
  c = static_cast<char>(c ^ 0x21);
  f.write(&c, 1);
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = TempDir("recovery"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Start(uint32_t now) {
    auto md = Metadata::Open(Options(dir_, true), now);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    md_ = std::move(*md);
    ConnectServers(md_->chunks(), now);
  }
  // Acknowledges what was done since the last commit: the model applies it.
  void Commit() {
    ASSERT_TRUE(md_->Commit().ok());
    for (const Op& op : pending_)
      RunModel(model_, model_refs_, op);
    pending_.clear();
  }
  // One unacknowledged operation whose record is torn by the crash.
  void TornOperation(uint32_t now) {
    const uint64_t before = md_->version();
    ASSERT_TRUE(md_->Mkdir(Cred{}, kRootInode, fmt::format("torn{}", now), 0755, 0, now).ok());
    ASSERT_EQ(md_->version(), before + 1);
    ASSERT_TRUE(md_->Commit().ok());
    const std::string path = changelog::ChangelogPath(dir_, "changelog", 0);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 7);
  }
  void CheckAgainstModel(const std::string& when) {
    ASSERT_EQ(md_->ns().Dump(), model_.Dump()) << when;
    ASSERT_EQ(RegistryChunks(md_->chunks()),
              ExpectedChunks(md_->ns(), md_->chunks().next_chunk_id()))
        << when;
  }

  std::string dir_;
  std::unique_ptr<Metadata> md_;
  MemoryChunkRefs model_refs_;
  Namespace model_{model_refs_, 0};
  std::vector<Op> pending_;
};

TEST_F(RecoveryTest, CrashesLoseNothingAcknowledged) {
  Workload w(2024, /*days_pass=*/true);
  Start(w.now());
  // The model starts as the fresh file system did (same root times).
  ASSERT_TRUE(model_.LoadNodes(md_->ns().SerializeNodes()).ok());
  std::string chunks_at_commit;
  int crashes = 0;
  for (int step = 1; step <= 12000; ++step) {
    Op op = w.Next(md_->ns());
    (void)RunLive(*md_, op);
    pending_.push_back(op);
    if (w.Pick(5) == 0) Commit();
    if (w.Pick(1500) == 0) {
      ASSERT_TRUE(md_->SaveImage(w.now()).ok());
    }
    if (step % 1000 == 0 || w.Pick(900) == 0) {
      Commit();
      const uint64_t acked = md_->version();
      if (w.Pick(2) == 0) TornOperation(w.now() + 1);
      md_.reset();  // SIGKILL: no SaveImage, no Stop
      // Without -a the master refuses, and says what to do.
      auto refused = Metadata::Open(Options(dir_, false), w.now());
      ASSERT_FALSE(refused.ok());
      EXPECT_NE(refused.status().message().find("-a"), std::string::npos);
      Start(w.now() + 2);
      ++crashes;
      ASSERT_EQ(md_->version(), acked) << "crash " << crashes;
      CheckAgainstModel(fmt::format("after crash {} at step {}", crashes, step));
    }
  }
  EXPECT_GE(crashes, 12);
  Commit();
  CheckAgainstModel("at the end");

  // The whole history from the changelogs alone, as mfsmetarestore does. Images were saved
  // and changelogs rotated along the way; BACK_LOGS 50 kept every file.
  RestoreOptions ro{"", changelog::ListFiles(dir_, "changelog"), dir_ + "/from-logs.mfs"};
  auto report = RestoreMetadata(ro, 1);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->version, md_->version());
  auto text = DumpImage(dir_ + "/from-logs.mfs");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            fmt::format("# version {}\n{}{}", md_->version(), model_.Dump(), md_->DumpChunks()));

  // A clean stop needs no -a.
  ASSERT_TRUE(md_->Stop(w.now()).ok());
  md_.reset();
  auto clean = Metadata::Open(Options(dir_, false), w.now() + 1);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_EQ((*clean)->ns().Dump(), model_.Dump());
}

TEST_F(RecoveryTest, DamagedImageIsRefusedByName) {
  Start(100);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(md_->Mkdir(Cred{}, kRootInode, fmt::format("d{}", i), 0755, 0, 100).ok());
  ASSERT_TRUE(md_->Stop(101).ok());
  md_.reset();
  const std::string image = image::ImagePath(dir_);
  FlipByte(image, std::filesystem::file_size(image) / 2);
  auto md = Metadata::Open(Options(dir_, true), 102);
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.code(), Code::kCorruption);
  EXPECT_NE(md.status().message().find(image), std::string::npos) << md.status().message();
  auto dumped = DumpImage(image);
  EXPECT_FALSE(dumped.ok());
  // mfsmetarestore -a falls back to the previous image and the changelogs.
  auto found = AutoRestoreOptions(dir_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->image, image::BackPath(dir_, 1));
}

TEST_F(RecoveryTest, DamagedChangelogRecordIsRefusedByName) {
  Start(100);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(md_->Mkdir(Cred{}, kRootInode, fmt::format("d{}", i), 0755, 0, 100).ok());
  ASSERT_TRUE(md_->Commit().ok());
  md_.reset();
  const std::string log = changelog::ChangelogPath(dir_, "changelog", 0);
  FlipByte(log, std::filesystem::file_size(log) / 2);
  auto md = Metadata::Open(Options(dir_, true), 102);
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.code(), Code::kCorruption);
  EXPECT_NE(md.status().message().find(log), std::string::npos) << md.status().message();
  RestoreOptions ro{"", {log}, dir_ + "/out.mfs"};
  auto report = RestoreMetadata(ro, 1);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find(log), std::string::npos);
}

}  // namespace
}  // namespace elk::master
