#include "master/server/follower_quorum.h"

#include <gtest/gtest.h>

namespace elk::master {
namespace {

using namespace std::chrono_literals;
using Clock = FollowerQuorum::Clock;

const int a = 0, b = 0;  // two follower links, named by address

TEST(FollowerQuorumTest, NothingWaitsWithoutFollowersOrWhenNoneAreWanted) {
  FollowerQuorum none(0, 2s);
  none.Joined(&a, "a");
  EXPECT_FALSE(none.Applied(&a, 5, 5));  // wanted 0: never counted
  EXPECT_TRUE(none.Holds(100));
  FollowerQuorum one(1, 2s);
  EXPECT_TRUE(one.Holds(100));  // nobody in step: the leader alone
  one.Joined(&a, "a");
  EXPECT_TRUE(one.Holds(100)) << "a follower not yet caught up is not waited for";
}

TEST(FollowerQuorumTest, ACaughtUpFollowerIsWaitedFor) {
  FollowerQuorum q(1, 2s);
  q.Joined(&a, "a");
  EXPECT_FALSE(q.Applied(&a, 9, 10));  // behind the leader: not counted yet
  EXPECT_TRUE(q.Applied(&a, 10, 10));
  EXPECT_EQ(q.members(), 1);
  EXPECT_TRUE(q.Holds(10));
  EXPECT_FALSE(q.Holds(11));
  q.Applied(&a, 11, 11);
  EXPECT_TRUE(q.Holds(11));
  q.Left(&a);
  EXPECT_TRUE(q.Holds(12));
}

TEST(FollowerQuorumTest, TwoWantedWithOneInStepWaitsForThatOne) {
  FollowerQuorum q(2, 2s);
  q.Joined(&a, "a");
  q.Joined(&b, "b");
  q.Applied(&a, 10, 10);
  EXPECT_FALSE(q.Holds(11));
  q.Applied(&a, 11, 11);
  EXPECT_TRUE(q.Holds(11));  // b never caught up: one copy is all there is
  q.Applied(&b, 11, 11);
  q.Applied(&a, 12, 12);
  EXPECT_FALSE(q.Holds(12)) << "both in step: both must hold it";
  q.Applied(&b, 12, 12);
  EXPECT_TRUE(q.Holds(12));
}

TEST(FollowerQuorumTest, ASilentFollowerIsDroppedAfterTheTimeOutAndComesBackCaughtUp) {
  FollowerQuorum q(1, 2s);
  q.Joined(&a, "a");
  q.Applied(&a, 10, 10);
  const Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(q.Expire(11, t0, t0 + 1s));
  EXPECT_FALSE(q.Holds(11));
  EXPECT_TRUE(q.Expire(11, t0, t0 + 2s));
  EXPECT_EQ(q.members(), 0);
  EXPECT_TRUE(q.Holds(11));
  EXPECT_FALSE(q.Applied(&a, 11, 13));  // still behind
  EXPECT_TRUE(q.Applied(&a, 13, 13));
  EXPECT_FALSE(q.Holds(14));
}

}  // namespace
}  // namespace elk::master
