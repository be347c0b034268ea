// Election faults on a real etcd: a leader whose keep-alives stop (a paused process, a
// broken link) stops claiming the lead by its deadline, before anyone else is elected;
// etcd going away makes the leader step down, and it campaigns again when etcd returns.
#include <gtest/gtest.h>

#include <atomic>

#include "master/ha/election.h"
#include "master/ha/election_test_util.h"

namespace elk::master::ha {
namespace {

using namespace std::chrono_literals;
using testing::Candidate;
using testing::Fault;

long Ms(Clock::duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

class ElectionFaultTest : public testing::ElectionFixture {
 protected:
  // The leader's keep-alives stop with `fault`. Checks that it stops claiming the lead by
  // its deadline, that the successor takes over only after that, with a higher epoch.
  void LeaderLosesItsLink(Fault fault) {
    Candidate& a = Add("m1");
    Candidate& b = Add("m2");
    Candidate* old = WaitForLeader(10s);
    ASSERT_NE(old, nullptr);
    Candidate* other = old == &a ? &b : &a;
    // At the very moment the successor takes the lead, does the old one still claim it?
    std::atomic<int> claimed_at_takeover{-1};
    other->recorder.SetHook([&](const RoleChange& c) {
      if (c.role == Role::kLeader) claimed_at_takeover = old->election->StillLeader(Clock::now());
    });
    int64_t old_epoch = old->election->epoch();
    size_t before = old->recorder.size();
    // Mid-term, so the deadline comes from keep-alives, not from the campaign's grant.
    auto granted_deadline = old->election->LeaseDeadlineTime();
    std::this_thread::sleep_for(std::chrono::milliseconds(kTtl) * 3 / 4);
    ASSERT_GT(old->election->LeaseDeadlineTime(), granted_deadline);

    auto cut = Clock::now();
    old->fault->Set(fault);
    Clock::time_point off = cut;
    while (old->election->StillLeader(off) && off < cut + 2 * kTtl) {
      std::this_thread::sleep_for(5ms);
      off = Clock::now();
    }
    // The deadline counts from the last keep-alive sent, which was before the cut.
    // (plus the slack of this loop's polling on a loaded machine)
    EXPECT_LE(off - cut, kTtl + 500ms) << Ms(off - cut);
    EXPECT_FALSE(old->election->StillLeader(off));

    auto took = other->recorder.WaitFor(Role::kLeader, kTtl + 6s);
    ASSERT_TRUE(took.has_value());
    EXPECT_EQ(claimed_at_takeover.load(), 0);
    EXPECT_GT(took->at, off);
    RecordProperty("cut_to_not_leader_ms", static_cast<int>(Ms(off - cut)));
    RecordProperty("not_leader_to_successor_ms", static_cast<int>(Ms(took->at - off)));
    EXPECT_GT(took->change.epoch, old_epoch);

    old->fault->Set(Fault::kNone);
    auto lost = old->recorder.WaitFor(Role::kLost, 6s, before);
    ASSERT_TRUE(lost.has_value());
    EXPECT_EQ(lost->change.epoch, old_epoch);
    if (fault == Fault::kFail) {
      // The thread was not frozen: it said so about when the successor came (its retries
      // run every 200 ms; the successor's polls too).
      EXPECT_LT(lost->at, took->at + 1s);
    }
    EXPECT_TRUE(old->recorder.WaitForLast(
        [&](const RoleChange& c) { return c.role == Role::kFollower && c.leader_id == other->id; },
        6s));
  }
};

TEST_F(ElectionFaultTest, AFrozenLeaderStopsClaimingBeforeASuccessorIsElected) {
  LeaderLosesItsLink(Fault::kHang);
}

TEST_F(ElectionFaultTest, ALeaderCutOffFromEtcdStepsDownBeforeASuccessorIsElected) {
  LeaderLosesItsLink(Fault::kFail);
}

TEST_F(ElectionFaultTest, EtcdGoneTheLeaderStepsDownAndCampaignsWhenItReturns) {
  Candidate& a = Add("m1");
  ASSERT_EQ(WaitForLeader(10s), &a);
  int64_t old_epoch = a.election->epoch();
  size_t before = a.recorder.size();
  auto stop = Clock::now();
  etcd_->Stop();
  auto lost = a.recorder.WaitFor(Role::kLost, kTtl + 4s, before);
  ASSERT_TRUE(lost.has_value());
  EXPECT_LE(lost->at - stop, kTtl + 3s) << Ms(lost->at - stop);
  EXPECT_FALSE(a.election->StillLeader(Clock::now()));
  std::this_thread::sleep_for(kTtl);  // still down a while: no lead claimed meanwhile
  EXPECT_FALSE(a.election->StillLeader(Clock::now()));

  ASSERT_TRUE(etcd_->Restart().ok());
  // etcd restores the old lease (and so the old key) with a fresh TTL; the candidate
  // revokes its own stale lease and campaigns, so it does not wait for that TTL either.
  auto back = a.recorder.WaitFor(Role::kLeader, 10s, before);
  ASSERT_TRUE(back.has_value());
  EXPECT_GT(back->change.epoch, old_epoch);
  EXPECT_TRUE(a.election->StillLeader(Clock::now()));
}

TEST_F(ElectionFaultTest, AnUnreachableEtcdElectsNobody) {
  etcd_->Stop();
  Candidate& a = Add("m1");
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(a.election->StillLeader(Clock::now()));
  EXPECT_EQ(a.recorder.WaitFor(Role::kLeader, 0ms), std::nullopt);
  auto stop = Clock::now();
  a.election.reset();  // stops promptly though every request fails
  EXPECT_LT(Clock::now() - stop, 4s);
}

}  // namespace
}  // namespace elk::master::ha
