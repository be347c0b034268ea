// A follower's Metadata: the leader's records applied with ApplyFollowed reach the leader's
// exact state and land in the follower's own changelog (so its folder alone recovers); an
// image from the leader replaces a diverged state and sets aside records the leader never had.

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "common/changelog/reader.h"
#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

std::string StateText(const Metadata& md) {
  return fmt::format("# version {}\n{}{}", md.version(), md.ns().Dump(), md.DumpChunks());
}

std::unique_ptr<Metadata> OpenAt(const std::string& dir, bool recover = false) {
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  o.auto_recover = recover;
  auto md = Metadata::Open(o, 1000);
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  return md.ok() ? std::move(*md) : nullptr;
}

// A leader running the random workload; every committed record is kept for a follower.
struct Leader {
  explicit Leader(const std::string& dir) : md(OpenAt(dir)) {
    md->set_record_listener([this](uint64_t v, std::string_view body) {
      records.push_back({v, std::string(body)});
    });
    ConnectServers(md->chunks(), 1000);
  }
  void Run(Workload& w, int ops) {
    for (int i = 0; i < ops; ++i) {
      Op op = w.Next(md->ns());
      (void)RunLive(*md, op);
      ASSERT_TRUE(md->Commit().ok());
    }
  }
  std::unique_ptr<Metadata> md;
  std::vector<changelog::Record> records;
};

// The follower starts from the leader's image (as a download does), then applies records.
TEST(FollowTest, AppliedRecordsReachTheLeadersStateAndTheFollowersFiles) {
  const std::string ldir = TempDir("follow-leader"), fdir = TempDir("follow-follower");
  Leader leader(ldir);
  Workload w(23, /*days_pass=*/true);
  leader.Run(w, 300);
  auto follower = OpenAt(fdir);
  ASSERT_TRUE(follower);
  auto img = leader.md->MakeImage(1000);
  ASSERT_TRUE(img.ok());
  ASSERT_TRUE(follower->ResetToImage(*img).ok());
  EXPECT_EQ(StateText(*follower), StateText(*leader.md));
  const uint64_t from = img->version;
  leader.Run(w, 3000);
  for (const auto& r : leader.records) {
    if (r.version <= from) continue;
    Status s = follower->ApplyFollowed(r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_TRUE(follower->Commit().ok());
  ASSERT_GT(follower->version(), from + 300);
  const std::string expected = StateText(*leader.md);
  EXPECT_EQ(StateText(*follower), expected);
  // The follower's folder alone, as after a kill -9 (recovery from its image + changelog).
  follower.reset();
  auto again = OpenAt(fdir, /*recover=*/true);
  ASSERT_TRUE(again);
  EXPECT_EQ(StateText(*again), expected);
  std::filesystem::remove_all(ldir);
  std::filesystem::remove_all(fdir);
}

// A record that does not replay is refused; the image then replaces the state, and records
// the follower held past the image's version (an ex-leader's tail) are set aside, so its
// folder recovers to the leader's history, not its own.
TEST(FollowTest, ImageReplacesADivergedStateAndSetsItsTailAside) {
  const std::string ldir = TempDir("follow-leader2"), fdir = TempDir("follow-follower2");
  Leader leader(ldir);
  Workload w(5);
  leader.Run(w, 400);
  // The follower has its own history: more records than the leader, none of them its.
  auto follower = OpenAt(fdir);
  ASSERT_TRUE(follower);
  ConnectServers(follower->chunks(), 1000);
  Workload other(99);
  for (int i = 0; i < 900; ++i) {
    Op op = other.Next(follower->ns());
    (void)RunLive(*follower, op);
  }
  ASSERT_TRUE(follower->Commit().ok());
  ASSERT_GT(follower->version(), leader.md->version());
  // The leader's next record does not follow (or does not replay on) the follower's state.
  changelog::Record next{follower->version() + 1, leader.records.back().body};
  EXPECT_FALSE(follower->ApplyFollowed(next).ok());
  auto img = leader.md->MakeImage(1000);
  ASSERT_TRUE(img.ok());
  ASSERT_TRUE(follower->ResetToImage(*img).ok());
  EXPECT_EQ(StateText(*follower), StateText(*leader.md));
  leader.Run(w, 200);
  for (const auto& r : leader.records) {
    if (r.version <= img->version) continue;
    ASSERT_TRUE(follower->ApplyFollowed(r).ok());
  }
  ASSERT_TRUE(follower->Commit().ok());
  const std::string expected = StateText(*leader.md);
  EXPECT_EQ(StateText(*follower), expected);
  follower.reset();
  bool set_aside = false;
  for (const auto& e : std::filesystem::directory_iterator(fdir))
    set_aside = set_aside || e.path().filename().string().starts_with("discarded_");
  EXPECT_TRUE(set_aside);
  auto again = OpenAt(fdir, /*recover=*/true);
  ASSERT_TRUE(again);
  EXPECT_EQ(StateText(*again), expected);
  std::filesystem::remove_all(ldir);
  std::filesystem::remove_all(fdir);
}

// A gap is refused before anything changes (the link then asks for an image).
TEST(FollowTest, ARecordThatDoesNotFollowIsRefused) {
  const std::string ldir = TempDir("follow-leader3"), fdir = TempDir("follow-follower3");
  Leader leader(ldir);
  Workload w(7);
  leader.Run(w, 50);
  auto follower = OpenAt(fdir);
  auto img = leader.md->MakeImage(1000);
  ASSERT_TRUE(follower && img.ok());
  ASSERT_TRUE(follower->ResetToImage(*img).ok());
  leader.Run(w, 50);
  const std::string before = StateText(*follower);
  const auto& later = leader.records.back();
  ASSERT_GT(later.version, img->version + 1);
  EXPECT_EQ(follower->ApplyFollowed(later).code(), Code::kCorruption);
  EXPECT_EQ(StateText(*follower), before);
  std::filesystem::remove_all(ldir);
  std::filesystem::remove_all(fdir);
}

}  // namespace
}  // namespace elk::master
