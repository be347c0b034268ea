// Election on a real etcd: one leader among candidates, its epoch, hand-over after a crash
// and after a resignation, and the preference for the up-to-date candidate.
#include "master/ha/election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "common/net/loop_thread.h"
#include "master/ha/election_test_util.h"

namespace elk::master::ha {
namespace {

using namespace std::chrono_literals;
using testing::Candidate;

class ElectionTest : public testing::ElectionFixture {};

TEST_F(ElectionTest, ExactlyOneLeaderAndTheOthersFollowIt) {
  Add("m1");
  Add("m2");
  Add("m3");
  Candidate* leader = WaitForLeader(10s);
  ASSERT_NE(leader, nullptr);
  int keepalives_before = leader->fault->keepalives.load();
  // Three TTLs: the lead is renewed, never lost, never shared.
  for (int i = 0; i < 3 * 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kTtl) / 4);
    ASSERT_EQ(OnlyLeader(), leader) << "round " << i;
  }
  // Renewed every TTL/3: about 9 keep-alives in three TTLs, not a busy loop.
  int keepalives = leader->fault->keepalives.load() - keepalives_before;
  // Bounds wide enough for a loaded machine (a late renewal, a retried one).
  EXPECT_GE(keepalives, 4);
  EXPECT_LE(keepalives, 14);
  for (auto& c : candidates_) {
    if (c.get() != leader) {
      EXPECT_EQ(c->fault->keepalives.load(), 0) << c->id;
    }
  }
  int64_t epoch = leader->election->epoch();
  EXPECT_GT(epoch, 0);
  auto client = EtcdClient::Connect(etcd_->url(), 1s);
  ASSERT_TRUE(client.ok());
  auto key = (*client)->Get("/elkfs-test/leader");
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->create_revision, epoch);  // the epoch is the key's create_revision
  EXPECT_EQ(FollowerOf(**key).leader_id, leader->id);

  for (auto& c : candidates_) {
    EXPECT_EQ(c->recorder.WaitFor(Role::kLost, 0ms), std::nullopt) << c->id;
    RoleChange last = c->recorder.last();
    EXPECT_EQ(last.epoch, epoch) << c->id;
    if (c.get() == leader) {
      EXPECT_EQ(last.role, Role::kLeader);
      continue;
    }
    EXPECT_EQ(last.role, Role::kFollower) << c->id;
    EXPECT_EQ(last.leader_id, leader->id) << c->id;
    EXPECT_EQ(last.leader_address, FollowerOf(**key).leader_address) << c->id;
  }
}

TEST_F(ElectionTest, ACrashedLeaderIsReplacedWithinTheTtlWithAHigherEpoch) {
  Add("m1");
  Add("m2");
  Add("m3");
  Candidate* old = WaitForLeader(10s);
  ASSERT_NE(old, nullptr);
  int64_t old_epoch = old->election->epoch();
  auto crash = Clock::now();
  old->election->Stop(/*resign=*/false);  // no revoke, no delete: the lease must expire
  EXPECT_FALSE(old->election->StillLeader(Clock::now()));

  Candidate* next = WaitForLeader(kTtl + 6s);
  ASSERT_NE(next, nullptr);
  auto took = Clock::now() - crash;
  RecordProperty(
      "crash_to_new_leader_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  EXPECT_NE(next, old);
  // etcd expires the lease at most TTL after the last keep-alive (sent before the crash);
  // then a poll interval and a campaign. Margin for etcd's expiry sweep (500 ms) and a
  // busy machine.
  EXPECT_LT(took, kTtl + 4s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  // ... and not before the lease could expire (its last keep-alive left at most TTL/3
  // before the crash): the successor waited for etcd, not for a guess.
  EXPECT_GT(took, std::chrono::milliseconds(kTtl) / 2);
  EXPECT_GT(next->election->epoch(), old_epoch);
  for (auto& c : candidates_) {
    if (c.get() == old || c.get() == next) continue;
    int64_t epoch = next->election->epoch();
    EXPECT_TRUE(c->recorder.WaitForLast(
        [&](const RoleChange& r) {
          return r.role == Role::kFollower && r.leader_id == next->id && r.epoch == epoch;
        },
        2s))
        << c->id;
  }
}

TEST_F(ElectionTest, ResignHandsOverFast) {
  Add("m1");
  Add("m2");
  Candidate* old = WaitForLeader(10s);
  ASSERT_NE(old, nullptr);
  int64_t old_epoch = old->election->epoch();
  size_t before = old->recorder.size();
  auto resign = Clock::now();
  old->election->Resign();
  Candidate* next = nullptr;
  auto until = Clock::now() + 6s;
  while (next == nullptr && Clock::now() < until) {
    next = WaitForLeader(10ms);
    if (next == old) next = nullptr;
  }
  ASSERT_NE(next, nullptr);
  auto took = Clock::now() - resign;
  RecordProperty(
      "resign_to_new_leader_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  // No lease to wait for: a poll interval and a campaign (the TTL is 2 s).
  EXPECT_LT(took, 3s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  EXPECT_GT(next->election->epoch(), old_epoch);
  EXPECT_FALSE(old->election->StillLeader(Clock::now()));
  auto stepped = old->recorder.WaitFor(Role::kCandidate, 3s, before);
  ASSERT_TRUE(stepped.has_value());
  EXPECT_LE(stepped->at, Clock::now());
  auto follows = old->recorder.WaitFor(Role::kFollower, 4s, before);
  ASSERT_TRUE(follows.has_value());
  EXPECT_EQ(follows->change.leader_id, next->id);
  EXPECT_EQ(old->recorder.WaitFor(Role::kLost, 0ms, before), std::nullopt);
}

TEST_F(ElectionTest, TheLeastLaggingCandidateWins) {
  Candidate& first = Add("m1");
  ASSERT_EQ(WaitForLeader(10s), &first);
  // Added before the current one, and so first in every race without the rule.
  Add("lagging", [](ElectionOptions& o) { o.campaign_delay = [] { return 1500ms; }; });
  Candidate& current =
      Add("current", [](ElectionOptions& o) { o.campaign_delay = [] { return 0ms; }; });
  ASSERT_TRUE(current.recorder.WaitFor(Role::kFollower, 2s).has_value());
  first.election->Stop(/*resign=*/true);
  Candidate* next = WaitForLeader(3s);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next, &current);
  std::this_thread::sleep_for(1700ms);  // past the lagging one's delay: it follows, not leads
  EXPECT_EQ(OnlyLeader(), &current);
}

// Two followers of the same term, one a record behind (sync to one follower acknowledged
// that record): the one holding it must lead, even when it is the slower to campaign.
TEST_F(ElectionTest, TheCandidateHoldingTheNewestMetadataLeadsEvenWhenSlower) {
  Candidate& first = Add("m1");
  ASSERT_EQ(WaitForLeader(10s), &first);
  Add("behind", [](ElectionOptions& o) { o.held_metadata = [] { return HeldMetadata{3, 100}; }; });
  Candidate& newest = Add("newest", [](ElectionOptions& o) {
    o.held_metadata = [] { return HeldMetadata{3, 101}; };
    o.campaign_delay = [] { return 500ms; };  // slower: without the board it would lose
  });
  ASSERT_TRUE(newest.recorder.WaitFor(Role::kFollower, 2s).has_value());
  first.election->Stop(/*resign=*/true);
  Candidate* next = WaitForLeader(3s);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next, &newest);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(OnlyLeader(), &newest);
  // Both entries are gone once a leader is known: the next election starts afresh.
  auto client = EtcdClient::Connect(etcd_->url(), 1s);
  ASSERT_TRUE(client.ok());
  auto entries = (*client)->GetPrefix("/elkfs-test/candidates/");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_TRUE(entries->empty());
}

// A newer candidate that died after announcing itself holds the others back only until
// its entry's lease expires.
TEST_F(ElectionTest, ADeadNewerCandidateHoldsTheElectionBackAtMostATtl) {
  auto client = EtcdClient::Connect(etcd_->url(), 1s);
  ASSERT_TRUE(client.ok());
  auto lease = (*client)->GrantLease(kTtl.count());
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  ASSERT_TRUE((*client)->Put("/elkfs-test/candidates/ghost", "9 9", lease->id).ok());
  const auto added = Clock::now();
  Candidate& alive = Add("alive", [](ElectionOptions& o) {
    o.held_metadata = [] { return HeldMetadata{3, 100}; };
  });
  ASSERT_EQ(WaitForLeader(kTtl + 3s), &alive);
  const auto took = Clock::now() - added;
  // Not before the ghost's lease ran out (etcd may keep it up to a second longer).
  EXPECT_GE(took, kTtl - 200ms);
}

TEST_F(ElectionTest, PostingToDeliversRoleChangesOnTheLoop) {
  net::LoopThread io;
  ASSERT_TRUE(io.Start().ok());
  auto on_loop = std::make_shared<std::promise<bool>>();
  auto leader = std::make_shared<std::atomic<bool>>(false);
  auto endpoints = EtcdClient::Connect(etcd_->url(), 300ms);
  ASSERT_TRUE(endpoints.ok());
  auto e = Election::Start(std::move(*endpoints), Options("m1"),
                           PostingTo(io.loop(), [&io, on_loop, leader](const RoleChange& c) {
                             if (c.role != Role::kLeader || leader->exchange(true)) return;
                             on_loop->set_value(io.loop().InLoopThread());
                           }));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto future = on_loop->get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(future.get());
  e->reset();  // the election first, then the loop its callbacks post to
  io.Stop();
}

}  // namespace
}  // namespace elk::master::ha
