// The planner's decisions on hand-made cluster states.

#include "master/replication/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "master/replication/planner_test_util.h"

namespace elk::master::replication {
namespace {

using ::testing::UnorderedElementsAre;

TEST_F(PlannerTest, UnderGoalChunkIsCopiedToEveryOtherServer) {
  const ServerId a = Server(1), b = Server(2), c = Server(3);
  Chunk(1, 3, {a});
  EXPECT_THAT(Tick(), UnorderedElementsAre(Rep(1, a, b), Rep(1, a, c)));
  EXPECT_TRUE(Tick(kStart + 1).empty()) << "replications under way";
  ASSERT_TRUE(reg_.ReplicationDone(1, b, 1, true).ok());
  ASSERT_TRUE(reg_.ReplicationDone(1, c, 1, true).ok());
  EXPECT_TRUE(Tick(kStart + 2).empty()) << "at goal";
}

TEST_F(PlannerTest, WriteLimitAllowsOneReplicationIntoATargetAtATime) {
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 2, {a});
  Chunk(2, 2, {a});
  ASSERT_EQ(config_.write_rep_limit, 1u);
  EXPECT_EQ(Tick(), (std::vector<Action>{Rep(1, a, b)}));
  EXPECT_EQ(planner_.backlog_size(), 1u);
  EXPECT_TRUE(Tick(kStart + 1).empty()) << "b is still receiving";
  ASSERT_TRUE(reg_.ReplicationDone(1, b, 1, true).ok());
  EXPECT_EQ(Tick(kStart + 2), (std::vector<Action>{Rep(2, a, b)}));
  EXPECT_EQ(planner_.backlog_size(), 0u);
}

TEST_F(PlannerTest, ReadLimitBoundsReplicationsOutOfOneServer) {
  config_.read_rep_limit = 1;
  config_.write_rep_limit = 5;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1), b = Server(2), c = Server(3);
  Chunk(1, 2, {a});
  Chunk(2, 2, {a});
  EXPECT_EQ(Count(Tick(), ActionKind::kReplicate), 1u);
  EXPECT_EQ(reg_.operations().replications_out_of(a), 1u);
  (void)b, (void)c;
}

TEST_F(PlannerTest, MostEndangeredChunkIsServedFirst) {
  const ServerId a = Server(1), b = Server(2), c = Server(3);
  Chunk(1, 3, {a, b});  // two copies: can wait
  Chunk(2, 3, {a});     // one copy: endangered, though visited later by id
  const auto actions = Tick();
  EXPECT_THAT(actions, UnorderedElementsAre(Rep(2, a, b), Rep(2, a, c)));
  EXPECT_EQ(planner_.last_tick().blocked, 1u);
}

TEST_F(PlannerTest, ChunkWithoutValidCopyIsCountedMissing) {
  Server(1);
  Chunk(1, 2, {});
  EXPECT_TRUE(Tick().empty());
  EXPECT_EQ(planner_.last_tick().missing, 1u);
}

TEST_F(PlannerTest, OverGoalCopiesAreDeletedFromTheFullestServers) {
  const ServerId a = Server(1, 10), b = Server(2, 80), c = Server(3, 50);
  Chunk(1, 1, {a, b, c});
  EXPECT_THAT(Tick(),
              UnorderedElementsAre(Del(1, b, Reason::kOverGoal), Del(1, c, Reason::kOverGoal)));
  ASSERT_TRUE(reg_.DeleteDone(1, b, true).ok());
  ASSERT_TRUE(reg_.DeleteDone(1, c, true).ok());
  EXPECT_TRUE(Tick(kStart + 1).empty());
  EXPECT_EQ(reg_.Find(1)->copies().size(), 1u);
}

TEST_F(PlannerTest, StaleCopyIsDeleted) {
  const ServerId a = Server(1), b = Server(2);
  ASSERT_TRUE(reg_.ApplyCreate(1, 1).ok());
  ASSERT_TRUE(reg_.ApplyIncVersion(1).ok());
  const ReportedChunk current{1, 2, false}, stale{1, 1, false};
  ASSERT_TRUE(reg_.ServerReportsChunks(a, {&current, 1}).ok());
  ASSERT_TRUE(reg_.ServerReportsChunks(b, {&stale, 1}).ok());
  EXPECT_EQ(Tick(), (std::vector<Action>{Del(1, b, Reason::kInvalid)}));
}

TEST_F(PlannerTest, StaleCopiesAreKeptWhenNoValidCopyExists) {
  const ServerId a = Server(1);
  Server(2);
  ASSERT_TRUE(reg_.ApplyCreate(1, 2).ok());
  ASSERT_TRUE(reg_.ApplyIncVersion(1).ok());
  const ReportedChunk stale{1, 1, false};
  ASSERT_TRUE(reg_.ServerReportsChunks(a, {&stale, 1}).ok());
  EXPECT_TRUE(Tick().empty());
  EXPECT_EQ(planner_.last_tick().missing, 1u);
}

TEST_F(PlannerTest, UnknownChunkReportedAtRegistrationIsDeleted) {
  const ServerId a = Server(1);
  const ReportedChunk unknown{99, 4, false};
  ASSERT_TRUE(reg_.ServerReportsChunks(a, {&unknown, 1}).ok());
  EXPECT_EQ(Tick(), (std::vector<Action>{Del(99, a, Reason::kOrphan, 4)}));
  EXPECT_TRUE(reg_.orphans().empty());
  ASSERT_TRUE(reg_.DeleteDone(99, a, true).ok());
  EXPECT_EQ(reg_.operations().deletions_on(a), 0u);
}

TEST_F(PlannerTest, DeletionLimitHoldsAcrossTicks) {
  config_.del_limit = 1;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1);
  const ReportedChunk orphans[] = {{98, 1, false}, {99, 1, false}};
  ASSERT_TRUE(reg_.ServerReportsChunks(a, orphans).ok());
  EXPECT_EQ(Tick().size(), 1u);
  EXPECT_TRUE(Tick(kStart + 1).empty());
  ASSERT_TRUE(reg_.DeleteDone(98, a, true).ok());
  EXPECT_EQ(Tick(kStart + 2), (std::vector<Action>{Del(99, a, Reason::kOrphan)}));
}

TEST_F(PlannerTest, NoReplicationDuringInitDelay) {
  config_.replications_delay_init = 300;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 2, {a});
  EXPECT_TRUE(Tick(kStart + 299).empty());
  EXPECT_EQ(planner_.last_tick().delayed, 1u);
  EXPECT_EQ(Tick(kStart + 300), (std::vector<Action>{Rep(1, a, b)}));
}

TEST_F(PlannerTest, CopyLostToDisconnectWaitsForTheServerToComeBack) {
  config_.replications_delay_disconnect = 3600;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1), b = Server(2), c = Server(3);
  Chunk(1, 2, {a, b});
  Chunk(2, 1, {a});
  Chunk(3, 2, {a});  // under goal before anything disconnected: not delayed
  ASSERT_TRUE(reg_.ServerDisconnected(b, 2000).ok());
  EXPECT_EQ(Tick(2100), (std::vector<Action>{Rep(3, a, c)}));
  EXPECT_EQ(planner_.last_tick().delayed, 1u);
  ASSERT_TRUE(reg_.ReplicationDone(3, c, 1, true).ok());
  EXPECT_TRUE(Tick(5599).empty());
  EXPECT_EQ(Tick(5600), (std::vector<Action>{Rep(1, a, c)}));
}

TEST_F(PlannerTest, ServerBackInTimeMakesReplicationUnneeded) {
  config_.replications_delay_disconnect = 3600;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1), b = Server(2);
  Server(3);
  Chunk(1, 2, {a, b});
  ASSERT_TRUE(reg_.ServerDisconnected(b, 2000).ok());
  EXPECT_EQ(Server(2), b);
  const ReportedChunk back{1, 1, false};
  ASSERT_TRUE(reg_.ServerReportsChunks(b, {&back, 1}).ok());
  EXPECT_TRUE(Tick(2100).empty());
  EXPECT_TRUE(Tick(6000).empty());
}

TEST_F(PlannerTest, MarkedCopyIsReplicatedFirstThenDeleted) {
  const ServerId a = Server(1), b = Server(2), c = Server(3);
  ASSERT_TRUE(reg_.ApplyCreate(1, 2).ok());
  const ReportedChunk marked{1, 1, true}, plain{1, 1, false};
  ASSERT_TRUE(reg_.ServerReportsChunks(a, {&marked, 1}).ok());
  ASSERT_TRUE(reg_.ServerReportsChunks(b, {&plain, 1}).ok());
  const auto first = Tick();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, ActionKind::kReplicate);
  EXPECT_EQ(first[0].reason, Reason::kMarked);
  EXPECT_EQ(first[0].target, c);
  ASSERT_TRUE(reg_.ReplicationDone(1, c, 1, true).ok());
  EXPECT_EQ(Tick(kStart + 1), (std::vector<Action>{Del(1, a, Reason::kMarked)}));
}

TEST_F(PlannerTest, LastCopiesOnAMarkedDiskAreNeverDeleted) {
  const ServerId a = Server(1);
  Server(2, 100);  // full: cannot take the copy
  ASSERT_TRUE(reg_.ApplyCreate(1, 1).ok());
  const ReportedChunk marked{1, 1, true};
  ASSERT_TRUE(reg_.ServerReportsChunks(a, {&marked, 1}).ok());
  EXPECT_TRUE(Tick().empty());
  EXPECT_EQ(planner_.last_tick().no_target, 1u);
}

TEST_F(PlannerTest, FullServerIsNeverATarget) {
  const ServerId a = Server(1);
  Server(2, 100);
  Chunk(1, 2, {a});
  EXPECT_TRUE(Tick().empty());
  EXPECT_EQ(planner_.last_tick().no_target, 1u);
}

TEST_F(PlannerTest, FewerServersThanGoalGetAsManyCopiesAsPossible) {
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 3, {a});
  EXPECT_EQ(Tick(), (std::vector<Action>{Rep(1, a, b)}));
  EXPECT_EQ(planner_.backlog_size(), 0u);
  ASSERT_TRUE(reg_.ReplicationDone(1, b, 1, true).ok());
  EXPECT_TRUE(Tick(kStart + 1).empty());
  EXPECT_EQ(planner_.last_tick().no_target, 1u);
}

TEST_F(PlannerTest, LockedChunkIsNotReplicatedUntilTheWriteEnds) {
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 2, {a});
  auto plan = reg_.PrepareWrite(1, 2, /*session=*/5, kStart);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(Tick().empty()) << "copies busy setting the version";
  ASSERT_TRUE(reg_.SetVersionDone(1, a, true).ok());
  EXPECT_TRUE(Tick(kStart + 1).empty()) << "locked for writing";
  ASSERT_TRUE(reg_.WriteEnd(1, 5).ok());
  const auto actions = Tick(kStart + 2);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].target, b);
  EXPECT_EQ(actions[0].version, 2u);
}

TEST_F(PlannerTest, UnreferencedChunkIsDeletedEverywhereThenForgotten) {
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 2, {a, b});
  ASSERT_TRUE(reg_.RemoveRef(1, 2).ok());
  EXPECT_THAT(Tick(), UnorderedElementsAre(Del(1, a, Reason::kUnused), Del(1, b, Reason::kUnused)));
  ASSERT_TRUE(reg_.DeleteDone(1, a, true).ok());
  ASSERT_TRUE(reg_.DeleteDone(1, b, true).ok());
  EXPECT_EQ(reg_.Find(1), nullptr);
}

TEST_F(PlannerTest, WriteFailureLeadsToDeleteAndReplication) {
  const ServerId a = Server(1), b = Server(2), c = Server(3);
  Chunk(1, 2, {a, b});
  ASSERT_TRUE(reg_.ReportWriteFailure(1, b).ok());
  EXPECT_THAT(Tick(), UnorderedElementsAre(Del(1, b, Reason::kInvalid, 0), Rep(1, a, c)));
}

TEST_F(PlannerTest, CopyOnWriteKeepsTheOldChunkForItsOtherReference) {
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 2, {a, b});
  ASSERT_TRUE(reg_.AddRef(1, 2).ok());
  auto plan = reg_.PrepareWrite(1, 2, 5, kStart);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(reg_.DuplicateDone(plan->chunk, a, true).ok());
  ASSERT_TRUE(reg_.DuplicateDone(plan->chunk, b, true).ok());
  ASSERT_TRUE(reg_.WriteEnd(plan->chunk, 5).ok());
  EXPECT_TRUE(Tick().empty()) << "both chunks at goal, nothing deleted";
  EXPECT_EQ(reg_.Find(1)->refcount(), 1u);
}

TEST_F(PlannerTest, RaisingTheGoalReplicatesLoweringItDeletes) {
  const ServerId a = Server(1, 10), b = Server(2, 20), c = Server(3, 30);
  Chunk(1, 1, {a});
  ASSERT_TRUE(reg_.ChangeGoal(1, 1, 3).ok());
  EXPECT_THAT(Tick(), UnorderedElementsAre(Rep(1, a, b), Rep(1, a, c)));
  ASSERT_TRUE(reg_.ReplicationDone(1, b, 1, true).ok());
  ASSERT_TRUE(reg_.ReplicationDone(1, c, 1, true).ok());
  ASSERT_TRUE(reg_.ChangeGoal(1, 3, 2).ok());
  EXPECT_EQ(Tick(kStart + 1), (std::vector<Action>{Del(1, c, Reason::kOverGoal)}));
}

TEST_F(PlannerTest, SnapshotWithHigherGoalRaisesTheSharedChunksGoal) {
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 1, {a});
  ASSERT_TRUE(reg_.AddRef(1, 2).ok());
  EXPECT_EQ(Tick(), (std::vector<Action>{Rep(1, a, b)}));
}

TEST_F(PlannerTest, TimedOutReplicationIsTriedAgain) {
  config_.operation_timeout = 60;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1), b = Server(2);
  Chunk(1, 2, {a});
  EXPECT_EQ(Tick(), (std::vector<Action>{Rep(1, a, b)}));
  EXPECT_TRUE(Tick(kStart + 59).empty());
  EXPECT_EQ(Tick(kStart + 60), (std::vector<Action>{Rep(1, a, b)}));
}

TEST_F(PlannerTest, EachTickVisitsASliceOfTheIdSpace) {
  config_.chunks_loop_time = 10;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1);
  for (ChunkId id = 1; id <= 20; ++id)
    Chunk(id, 1, {a});
  for (uint32_t t = 0; t < 10; ++t) {
    (void)Tick(kStart + t);
    EXPECT_EQ(planner_.last_tick().visited, 2u);
  }
}

TEST_F(PlannerTest, ActionsPerTickAreBounded) {
  config_.max_actions_per_tick = 3;
  config_.write_rep_limit = 100;
  planner_ = Planner(config_, kStart);
  const ServerId a = Server(1);
  Server(2);
  for (ChunkId id = 1; id <= 10; ++id)
    Chunk(id, 2, {a});
  EXPECT_EQ(Tick().size(), 3u);
  EXPECT_EQ(planner_.backlog_size(), 7u);
}

}  // namespace
}  // namespace elk::master::replication
