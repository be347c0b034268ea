// A recursive mfssetgoal / mfssettrashtime in slices, with other clients' mutations between
// the slices (unlinks, renames, snapshots, new files): the changelog's SETGOALS /
// SETTRASHTIMES records replay to exactly the live state, and the whole-tree records of
// older changelogs still replay.

#include <gtest/gtest.h>

#include <set>

#include "common/changelog/reader.h"
#include "master/meta/restore.h"
#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

std::string State(Metadata& md) {
  return fmt::format("# version {}\n{}{}", md.version(), md.ns().Dump(), md.DumpChunks());
}

std::multiset<std::string> LoggedOps(const std::string& dir) {
  std::multiset<std::string> ops;
  for (const auto& f : changelog::ListFiles(dir, "changelog")) {
    auto c = changelog::ReadFile(f);
    EXPECT_TRUE(c.ok());
    for (const auto& r : c->records)
      ops.insert(changelog::BodyReader::Parse(r.body)->op());
  }
  return ops;
}

// A slice-by-slice job as the server runs it (TreeJobs): walk, apply, repeat.
struct SlicedSet {
  TreeWalk walk;
  bool goal = true;
  Cred cred;
  uint32_t value = 0;
  SetMode mode = SetMode::kSet;
  RecursiveSetCounts counts;

  void Step(Metadata& md, size_t budget, uint32_t now) {
    std::vector<InodeId> ids;
    md.ns().WalkSome(walk, budget, &ids);
    auto r = goal ? md.SetGoalOf(cred, ids, static_cast<uint8_t>(value), mode, now)
                  : md.SetTrashTimeOf(cred, ids, value, mode, now);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    counts += *r;
  }
};

TEST(TreeSlicesTest, SlicesBetweenOtherMutationsReplayToTheLiveState) {
  const std::string dir = TempDir("slices");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto md = Metadata::Open(o, 1000);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ConnectServers((*md)->chunks(), 1000);
  Workload w(23, /*days_pass=*/true);
  for (int i = 0; i < 1500; ++i) {  // a tree to walk
    Op op = w.Next((*md)->ns());
    (void)RunLive(**md, op);
  }
  int jobs = 0;
  for (int round = 0; round < 12; ++round) {
    SlicedSet job{TreeWalk(kRootInode), round % 2 == 0, Cred{}, 0, SetMode::kSet, {}};
    job.cred = round % 3 == 0 ? Cred{1000, 100, {}} : Cred{};
    job.value = job.goal ? 1 + round % 9 : 100 * round;
    job.mode = static_cast<SetMode>(round % 3);
    for (int slice = 0; !job.walk.done() && slice < 10000; ++slice) {
      job.Step(**md, 1 + round % 5, w.now());
      if (round == 6 && slice == 3) {
        ASSERT_TRUE((*md)->SaveImage(w.now()).ok());  // in the middle of a job
      }
      for (int k = 0; k < 3; ++k) {  // other clients, between the slices
        Op op = w.Next((*md)->ns());
        (void)RunLive(**md, op);
      }
    }
    ASSERT_TRUE(job.walk.done());
    jobs += job.counts.changed > 0 ? 1 : 0;
    // After every job, not only at the end: a later job would hide an earlier one's
    // wrongly replayed ctime by setting it again.
    ASSERT_TRUE((*md)->Commit().ok());
    RestoreOptions ro{"", changelog::ListFiles(dir, "changelog"), dir + "/round.mfs"};
    auto report = RestoreMetadata(ro, 5);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto text = DumpImage(dir + "/round.mfs");
    ASSERT_TRUE(text.ok());
    ASSERT_EQ(*text, State(**md)) << "round " << round;
  }
  EXPECT_GT(jobs, 6) << "most jobs changed something";
  ASSERT_TRUE((*md)->Commit().ok());
  const auto ops = LoggedOps(dir);
  EXPECT_GT(ops.count("SETGOALS"), 10u);
  EXPECT_GT(ops.count("SETTRASHTIMES"), 10u);

  // From the changelogs alone, as mfsmetarestore does...
  const std::string live = State(**md);
  RestoreOptions ro{"", changelog::ListFiles(dir, "changelog"), dir + "/restored.mfs"};
  auto report = RestoreMetadata(ro, 5);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto text = DumpImage(dir + "/restored.mfs");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, live);
  // ... and from the image saved in the middle plus the newer records, as a restart does.
  (*md).reset();
  o.auto_recover = true;
  auto again = Metadata::Open(o, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(State(**again), live);
  std::filesystem::remove_all(dir);
}

TEST(TreeSlicesTest, SlicedCountsEqualOnePassOnAStillTree) {
  auto a = Metadata::FromImage(nullptr);
  auto b = Metadata::FromImage(nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  const Cred alice{1000, 100, {}};
  for (Metadata* md : {a->get(), b->get()}) {
    for (int d = 0; d < 4; ++d) {
      auto dir = md->Mkdir(Cred{}, kRootInode, fmt::format("d{}", d), 0777, 0, 10);
      ASSERT_TRUE(dir.ok());
      for (int f = 0; f < 25; ++f) {
        const Cred& who = f % 4 == 0 ? alice : Cred{};
        ASSERT_TRUE(
            md->Create(who, dir->inode, fmt::format("f{}", f), NodeType::kFile, 0644, 0, 0, 10)
                .ok());
      }
    }
  }
  auto whole = (*a)->SetGoal(alice, kRootInode, 5, SetMode::kSet, true, 20);
  ASSERT_TRUE(whole.ok());
  SlicedSet job{TreeWalk(kRootInode), true, alice, 5, SetMode::kSet, {}};
  for (int n = 0; !job.walk.done() && n < 1000; ++n)
    job.Step(**b, 3, 20);
  EXPECT_EQ(job.counts.changed, whole->changed);
  EXPECT_EQ(job.counts.changed, 4u * 7);
  EXPECT_EQ(job.counts.not_changed, whole->not_changed);
  EXPECT_EQ(job.counts.not_permitted, whole->not_permitted);
  EXPECT_EQ((*a)->ns().Dump(), (*b)->ns().Dump());
}

// The record layouts, old and new, by hand: an old changelog's recursive SETGOAL (one record
// for the whole tree) replays as before; SETGOALS changes exactly the nodes it names.
TEST(TreeSlicesTest, OldAndNewRecordsReplay) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  ASSERT_TRUE((*md)->Replay({1, "5|MKDIR(1,\"a\",493,18,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*md)->Replay({2, "5|CREATE(2,\"f\",1,420,18,0,0,0,\"\"):3"}).ok());
  ASSERT_TRUE((*md)->Replay({3, "5|CREATE(2,\"g\",1,420,18,0,0,0,\"\"):4"}).ok());
  Status s = (*md)->Replay({4, "6|SETGOAL(2,3,0,1,0,0,\"\"):3"});  // -r: a, f, g
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ((*md)->ns().GetAttr(4)->goal, 3);
  s = (*md)->Replay({5, "7|SETGOALS(4,0,0,0,\"\",2,2,4):2"});  // a and g only
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ((*md)->ns().GetAttr(2)->goal, 4);
  EXPECT_EQ((*md)->ns().GetAttr(3)->goal, 3);
  EXPECT_EQ((*md)->ns().GetAttr(4)->goal, 4);
  EXPECT_EQ((*md)->ns().GetAttr(4)->ctime, FileTimeOf(7));
  s = (*md)->Replay({6, "8|SETTRASHTIMES(60,0,0,0,\"\",1,3):1"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ((*md)->ns().GetAttr(3)->trashtime, 60u);
  // A record whose nodes would not all change is a divergence, as is a bad count.
  EXPECT_EQ((*md)->Replay({7, "9|SETGOALS(4,0,0,0,\"\",1,2):1"}).code(), Code::kCorruption);
  EXPECT_EQ((*md)->Replay({7, "9|SETGOALS(5,0,0,0,\"\",3,2):1"}).code(), Code::kCorruption);
}

// What the live call logs: one record per part of at most 16,384 changed nodes, none when
// nothing changed.
TEST(TreeSlicesTest, LiveCallsLogTheChangedNodes) {
  const std::string dir = TempDir("slices-log");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto md = Metadata::Open(o, 1000);
  ASSERT_TRUE(md.ok());
  std::vector<InodeId> ids{kRootInode};
  auto d = (*md)->Mkdir(Cred{}, kRootInode, "d", 0755, 0, 1000);
  ASSERT_TRUE(d.ok());
  for (int i = 0; i < 20000; ++i) {
    auto f =
        (*md)->Create(Cred{}, d->inode, fmt::format("f{}", i), NodeType::kFile, 0644, 0, 0, 1000);
    ASSERT_TRUE(f.ok());
    ids.push_back(f->inode);
  }
  const uint64_t before = (*md)->version();
  auto r = (*md)->SetGoalOf(Cred{}, ids, 3, SetMode::kSet, 1001);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changed, 20001u);
  EXPECT_EQ((*md)->version(), before + 2) << "20,001 nodes: two records";
  r = (*md)->SetGoalOf(Cred{}, ids, 3, SetMode::kSet, 1002);
  EXPECT_EQ(r->not_changed, 20001u);
  EXPECT_EQ((*md)->version(), before + 2) << "nothing changed: nothing logged";
  ASSERT_TRUE((*md)->Commit().ok());
  (*md).reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace elk::master
