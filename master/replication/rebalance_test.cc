#include "master/replication/rebalance.h"

#include <gtest/gtest.h>

#include "master/replication/planner_test_util.h"

namespace elk::master::replication {
namespace {

TEST_F(PlannerTest, RebalanceMovesFromFullestToEmptiestThenDropsTheSource) {
  const ServerId full = Server(1, 90), empty = Server(2, 10);
  Server(3, 50);
  Chunk(1, 1, {full});
  EXPECT_EQ(Tick(), (std::vector<Action>{Rep(1, full, empty, Reason::kRebalance)}));
  ASSERT_TRUE(reg_.ReplicationDone(1, empty, 1, true).ok());
  EXPECT_EQ(Tick(kStart + 1), (std::vector<Action>{Del(1, full, Reason::kOverGoal)}));
}

TEST_F(PlannerTest, NoRebalanceWithinTheAcceptableDifference) {
  const ServerId a = Server(1, 55);
  Server(2, 50);
  Chunk(1, 1, {a});
  EXPECT_TRUE(Tick().empty());
}

TEST_F(PlannerTest, NoRebalanceWhileChunksAreUnderGoal) {
  const ServerId full = Server(1, 90), empty = Server(2, 10);
  Server(3, 90);
  Chunk(1, 1, {full});
  Chunk(2, 2, {full});
  EXPECT_EQ(Tick(), (std::vector<Action>{Rep(2, full, empty)}));
  ASSERT_TRUE(reg_.ReplicationDone(2, empty, 1, true).ok());
  EXPECT_TRUE(Tick(kStart + 1).empty()) << "the last pass had under-goal work";
  EXPECT_EQ(Tick(kStart + 2), (std::vector<Action>{Rep(1, full, empty, Reason::kRebalance)}));
}

TEST_F(PlannerTest, NoRebalanceDuringInitDelay) {
  config_.replications_delay_init = 300;
  planner_ = Planner(config_, kStart);
  const ServerId full = Server(1, 90);
  Server(2, 10);
  Chunk(1, 1, {full});
  EXPECT_TRUE(Tick(kStart + 10).empty());
}

}  // namespace
}  // namespace elk::master::replication
