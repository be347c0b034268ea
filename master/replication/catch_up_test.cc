// Replication catch-up progress: counted from a hand-made cluster as the planner and the
// chunkservers bring it back to goal.

#include "master/replication/catch_up.h"

#include <gtest/gtest.h>

#include "master/replication/planner_test_util.h"

namespace elk::master::replication {
namespace {

TEST(CatchUpTest, DoneGrowsWithEveryDropAndTotalWithEveryRise) {
  CatchUp c;
  c.Observe(100, 0);
  EXPECT_FALSE(c.active());
  EXPECT_DOUBLE_EQ(c.percent(), 100.0);
  c.Observe(110, 480);
  EXPECT_TRUE(c.active());
  EXPECT_EQ(c.started_at(), 110u);
  EXPECT_EQ(c.total(), 480u);
  EXPECT_EQ(c.done(), 0u);
  c.Observe(120, 360);
  EXPECT_EQ(c.done(), 120u);
  EXPECT_EQ(c.total(), 480u);
  EXPECT_DOUBLE_EQ(c.percent(), 25.0);
  // Another server lost: more chunks under goal. Progress so far is kept, the total grows.
  c.Observe(130, 400);
  EXPECT_EQ(c.done(), 120u);
  EXPECT_EQ(c.total(), 520u);
  c.Observe(140, 0);
  EXPECT_FALSE(c.active());
  EXPECT_TRUE(c.just_ended());
  EXPECT_EQ(c.done(), 520u);
  EXPECT_EQ(c.ended_at(), 140u);
  c.Observe(150, 0);
  EXPECT_FALSE(c.just_ended());
  // A new catch-up starts from zero.
  c.Observe(160, 10);
  EXPECT_EQ(c.total(), 10u);
  EXPECT_EQ(c.done(), 0u);
  EXPECT_EQ(c.ended_at(), 0u);
}

TEST(CatchUpTest, LogLines) {
  CatchUp c;
  EXPECT_EQ(CatchUpLogLine(c, {}, 0, 100), "");
  c.Observe(100, 480);
  c.Observe(110, 360);
  EXPECT_EQ(CatchUpLogLine(c, {.undergoal = 360}, 3, 110),
            "replication: 120 of 480 under-goal chunks done (25%), 3 in flight");
  c.Observe(120, 1);
  EXPECT_EQ(CatchUpLogLine(c, {.undergoal = 1, .missing = 2}, 1, 120),
            "replication: 479 of 480 under-goal chunks done (99%), 1 in flight; 2 chunks have "
            "no valid copy and cannot be replicated");
  c.Observe(130, 0);
  EXPECT_EQ(CatchUpLogLine(c, {}, 0, 130),
            "replication: caught up, 480 under-goal chunks brought to goal in 30 s");
  c.Observe(140, 0);
  EXPECT_EQ(CatchUpLogLine(c, {}, 0, 140), "");
}

// The planner brings a hand-made cluster back to goal; the count and the catch-up follow.
TEST_F(PlannerTest, CatchUpFollowsThePlannerToGoal) {
  const ServerId a = Server(1), b = Server(2);
  Server(3);  // a second target
  for (ChunkId id = 1; id <= 4; id++)
    Chunk(id, 2, {a});  // under goal: one copy of two
  Chunk(5, 2, {a, b});  // at goal
  Chunk(6, 2, {});      // missing: nothing to copy from
  UnderGoalCount count = CountUnderGoal(reg_);
  EXPECT_EQ(count.undergoal, 4u);
  EXPECT_EQ(count.missing, 1u);
  CatchUp catch_up;
  catch_up.Observe(kStart, count.undergoal);
  EXPECT_EQ(catch_up.total(), 4u);

  // Each tick, every replication started completes before the next tick.
  for (uint32_t t = 0; t < 10 && catch_up.active(); t++) {
    const std::vector<Action> actions = Tick(kStart + t);
    for (const Action& act : actions) {
      if (act.kind == ActionKind::kReplicate) {
        ASSERT_TRUE(reg_.ReplicationDone(act.chunk, act.target, act.version, true).ok());
      }
    }
    const uint64_t before = catch_up.done();
    count = CountUnderGoal(reg_);
    catch_up.Observe(kStart + t, count.undergoal);
    EXPECT_GE(catch_up.done(), before);
    EXPECT_EQ(catch_up.total(), 4u);
    EXPECT_LE(catch_up.percent(), 100.0);
  }
  EXPECT_FALSE(catch_up.active());
  EXPECT_TRUE(catch_up.just_ended());
  EXPECT_EQ(catch_up.done(), 4u);
  EXPECT_EQ(CountUnderGoal(reg_).missing, 1u);
}

}  // namespace
}  // namespace elk::master::replication
