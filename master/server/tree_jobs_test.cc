// TreeJobs: a recursive request runs a slice per loop turn, other work runs between the
// slices, the finish comes once; the limits refuse extra jobs; a job whose client left stops.
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

}  // namespace
}  // namespace elk::master
