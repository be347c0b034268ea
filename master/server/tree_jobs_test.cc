// TreeJobs: a recursive request runs a slice per loop turn, other work runs between the
// slices, the finish comes once; the limits refuse extra jobs; a job whose client left stops;
// a snapshot (a job that walks by itself) copies a slice per turn the same way.
#include "master/server/tree_jobs.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>

namespace elk::master {
namespace {

using namespace std::chrono_literals;

class TreeJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = net::EventLoop::Create();
    ASSERT_TRUE(l.ok());
    loop = std::move(*l);
    auto m = Metadata::FromImage(nullptr);
    ASSERT_TRUE(m.ok());
    meta = std::move(*m);
    for (int d = 0; d < 10; ++d) {
      auto dir = meta->Mkdir(Cred{}, kRootInode, fmt::format("d{}", d), 0755, 0, 10);
      ASSERT_TRUE(dir.ok());
      dirs.push_back(dir->inode);
      for (int f = 0; f < 10; ++f) {
        ASSERT_TRUE(
            meta->Create(Cred{}, dir->inode, fmt::format("f{}", f), NodeType::kFile, 0644, 0, 0, 10)
                .ok());
      }
    }
  }
  // A setgoal -r job on the root that counts its slices and keeps its result.
  TreeJob SetGoalJob(uint32_t session, uint8_t goal) {
    TreeJob job;
    job.walk = TreeWalk(kRootInode);
    job.session = session;
    job.slice = [this, goal](std::span<const InodeId> ids) -> Status {
      ++slices;
      auto r = meta->SetGoalOf(Cred{}, ids, goal, SetMode::kSet, 11);
      if (!r.ok()) return r.status();
      counts += *r;
      return Status::Ok();
    };
    job.finish = [this](const Status& s) {
      ++finished;
      result = s;
    };
    return job;
  }
  // Runs loop turns until `done` or 1000 turns.
  int Turns(const std::function<bool()>& done) {
    int n = 0;
    for (; n < 1000 && !done(); ++n)
      EXPECT_TRUE(loop->RunOnce(0ms).ok());
    return n;
  }

  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<Metadata> meta;
  std::vector<InodeId> dirs;
  int slices = 0;
  int finished = 0;
  std::optional<Status> result;
  RecursiveSetCounts counts;
};

TEST_F(TreeJobsTest, ASliceATurnWithOtherWorkBetween) {
  TreeJobs jobs(*loop, *meta, {.slice_nodes = 15, .per_session = 4, .total = 32});
  ASSERT_TRUE(jobs.Start(SetGoalJob(1, 5)).ok());
  EXPECT_EQ(slices, 0) << "nothing runs inside Start";
  int ticks = 0;
  net::TimerId tick = loop->RunEvery(std::chrono::microseconds(1), [&] { ++ticks; });
  const int turns = Turns([&] { return finished > 0; });
  loop->Cancel(tick);
  EXPECT_EQ(finished, 1);
  ASSERT_TRUE(result && result->ok());
  EXPECT_EQ(counts.changed, 111u);
  EXPECT_GE(slices, 10) << "111 nodes and 110 entries, 15 a slice";
  EXPECT_GE(turns, slices);
  EXPECT_GE(ticks, slices - 1) << "other timers ran between the slices";
  EXPECT_EQ(jobs.running(), 0u);
  EXPECT_EQ(*meta->ns().GetGoal(dirs[9]), 5);
}

TEST_F(TreeJobsTest, NodesRemovedBetweenSlicesAreSkipped) {
  TreeJobs jobs(*loop, *meta, {.slice_nodes = 5, .per_session = 4, .total = 32});
  ASSERT_TRUE(jobs.Start(SetGoalJob(1, 6)).ok());
  ASSERT_TRUE(loop->RunOnce(0ms).ok());
  ASSERT_EQ(slices, 1);
  for (int d = 0; d < 10; ++d) {  // every folder emptied and removed after the first slice
    for (int f = 0; f < 10; ++f)
      ASSERT_TRUE(meta->Unlink(Cred{}, dirs[d], fmt::format("f{}", f), 12).ok());
    ASSERT_TRUE(meta->Rmdir(Cred{}, kRootInode, fmt::format("d{}", d), 12).ok());
  }
  Turns([&] { return finished > 0; });
  ASSERT_EQ(finished, 1);
  EXPECT_TRUE(result->ok());
  EXPECT_EQ(counts.changed, 1u) << "the root only: the rest was gone when its turn came";
}

TEST_F(TreeJobsTest, LimitsRefuseExtraJobs) {
  TreeJobs jobs(*loop, *meta, {.slice_nodes = 5, .per_session = 2, .total = 3});
  EXPECT_TRUE(jobs.Start(SetGoalJob(1, 3)).ok());
  EXPECT_TRUE(jobs.Start(SetGoalJob(1, 4)).ok());
  EXPECT_EQ(jobs.Start(SetGoalJob(1, 5)).code(), Code::kDelayed) << "per session";
  EXPECT_TRUE(jobs.Start(SetGoalJob(2, 5)).ok());
  EXPECT_EQ(jobs.Start(SetGoalJob(3, 5)).code(), Code::kDelayed) << "in all";
  Turns([&] { return finished == 3; });
  EXPECT_EQ(finished, 3);
  EXPECT_EQ(jobs.running(), 0u);
  EXPECT_TRUE(jobs.Start(SetGoalJob(3, 5)).ok()) << "room again";
  Turns([&] { return finished == 4; });
  EXPECT_EQ(finished, 4);
}

TEST_F(TreeJobsTest, AJobWhoseClientLeftStopsBetweenSlices) {
  TreeJobs jobs(*loop, *meta, {.slice_nodes = 5, .per_session = 4, .total = 32});
  bool alive = true;
  TreeJob job = SetGoalJob(1, 7);
  job.alive = [&alive] { return alive; };
  ASSERT_TRUE(jobs.Start(std::move(job)).ok());
  Turns([&] { return slices == 3; });
  alive = false;
  Turns([&] { return jobs.running() == 0; });
  EXPECT_EQ(jobs.running(), 0u);
  EXPECT_EQ(slices, 3);
  EXPECT_EQ(finished, 0) << "no one to answer";
  EXPECT_GT(counts.changed, 0u);
  EXPECT_LT(counts.changed, 111u);
  // What the slices did is whole and logged: the namespace is consistent and its dump shows
  // the changed goals (replay of those records is tree_slices_test's job).
  EXPECT_EQ(*meta->ns().GetGoal(kRootInode), 7);
}

TEST_F(TreeJobsTest, ASliceErrorEndsTheJobWithIt) {
  TreeJobs jobs(*loop, *meta);
  ASSERT_TRUE(jobs.Start(SetGoalJob(1, 0)).ok());  // goal 0: refused by the namespace
  Turns([&] { return finished > 0; });
  ASSERT_EQ(finished, 1);
  EXPECT_EQ(result->code(), Code::kInval);
}

// A snapshot job as ClientLink::Snapshot makes it: Metadata::SnapshotSome a slice per turn.
TEST_F(TreeJobsTest, ASnapshotCopiesASliceATurnWithOtherWorkBetween) {
  TreeJobs jobs(*loop, *meta, {.slice_nodes = 15, .per_session = 4, .total = 32});
  auto walk = meta->StartSnapshot(Cred{}, kRootInode, dirs[0], "snap", false);
  EXPECT_EQ(walk.status().code(), Code::kInval) << "not into itself";
  const InodeId out = meta->Mkdir(Cred{}, kRootInode, "out", 0755, 0, 10)->inode;
  const InodeId src = meta->Mkdir(Cred{}, kRootInode, "src", 0755, 0, 10)->inode;
  for (int d = 0; d < 10; ++d) {  // the ten folders move under src: 111 nodes to copy
    ASSERT_TRUE(meta->Rename(Cred{}, kRootInode, fmt::format("d{}", d), src, fmt::format("d{}", d),
                             RenameFlags{}, 10)
                    .ok());
  }
  walk = meta->StartSnapshot(Cred{}, src, out, "snap", false);
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  auto shared = std::make_shared<SnapshotWalk>(std::move(*walk));
  TreeJob job;
  job.session = 1;
  job.step = [this, shared](size_t budget) -> Result<bool> {
    ++slices;
    ELK_RETURN_IF_ERROR(meta->SnapshotSome(*shared, budget, 11));
    return shared->done();
  };
  job.finish = [this](const Status& s) {
    ++finished;
    result = s;
  };
  ASSERT_TRUE(jobs.Start(std::move(job)).ok());
  int ticks = 0;
  net::TimerId tick = loop->RunEvery(std::chrono::microseconds(1), [&] { ++ticks; });
  bool removed = false;
  const int turns = Turns([&] {
    // Another client, between two slices: the last folder goes before it is copied.
    if (slices == 2 && !removed) {
      for (int f = 0; f < 10; ++f)
        EXPECT_TRUE(meta->Unlink(Cred{}, dirs[9], fmt::format("f{}", f), 12).ok());
      EXPECT_TRUE(meta->Rmdir(Cred{}, src, "d9", 12).ok());
      removed = true;
    }
    return finished > 0;
  });
  loop->Cancel(tick);
  ASSERT_EQ(finished, 1);
  ASSERT_TRUE(result && result->ok()) << result->ToString();
  EXPECT_GE(slices, 8) << "100 nodes and their entries, 15 a slice";
  EXPECT_GE(turns, slices);
  EXPECT_GE(ticks, slices - 1) << "other timers ran between the slices";
  EXPECT_TRUE(removed);
  EXPECT_EQ(shared->copied, 1u + 9 * 11) << "src, and the nine folders left with their files";
  auto copy = meta->ns().GetDirInfo(shared->top);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->inodes, 1u + 9 * 11);
  EXPECT_EQ(meta->ns().Lookup(Cred{}, out, "snap")->inode, shared->top);
  EXPECT_FALSE(meta->ns().Lookup(Cred{}, shared->top, "d9").ok());
}

}  // namespace
}  // namespace elk::master
