// Chunk life through client requests: create, write, copy-on-write, read, references.

#include "master/chunks/registry.h"

#include <gtest/gtest.h>

#include "master/chunks/health.h"
#include "master/chunks/test_cluster.h"

namespace elk::master {
namespace {

using testing::AddChunk;
using testing::AddServer;
using testing::StateOn;

class RegistryTest : public ::testing::Test {
 protected:
  RegistryConfig Config() {
    RegistryConfig c;
    c.rng_seed = 1;
    return c;
  }
  ChunkRegistry reg_{Config()};
};

TEST_F(RegistryTest, CreateChunkPlacesGoalCopiesBusyUntilCreated) {
  const ServerId a = AddServer(reg_, 1), b = AddServer(reg_, 2), c = AddServer(reg_, 3);
  auto created = reg_.CreateChunk(2, 1000);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->id, 1u);
  EXPECT_EQ(created->version, 1u);
  EXPECT_EQ(created->servers.size(), 2u);
  EXPECT_FALSE(created->short_of_goal);
  EXPECT_EQ(reg_.next_chunk_id(), 2u);
  EXPECT_EQ(reg_.ReadLocations(created->id).code(), Code::kChunkLost);
  for (const Location& l : created->servers) {
    EXPECT_TRUE(reg_.CreateDone(created->id, l.server, true).ok());
  }
  auto read = reg_.ReadLocations(created->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->copies.size(), 2u);
  (void)a, (void)b, (void)c;
}

TEST_F(RegistryTest, CreateWithFewerServersThanGoalMakesAsManyAsPossible) {
  AddServer(reg_, 1);
  auto created = reg_.CreateChunk(3, 1000);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->servers.size(), 1u);
  EXPECT_TRUE(created->short_of_goal);
}

TEST_F(RegistryTest, CreateWithoutServersFailsAndCreatesNothing) {
  EXPECT_EQ(reg_.CreateChunk(2, 1000).code(), Code::kNotStarted);  // none connected yet
  EXPECT_EQ(reg_.chunk_count(), 0u);
  EXPECT_EQ(reg_.next_chunk_id(), 1u);
}

TEST_F(RegistryTest, FailedCreateDropsThatCopy) {
  AddServer(reg_, 1);
  AddServer(reg_, 2);
  auto created = reg_.CreateChunk(2, 1000);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(reg_.CreateDone(created->id, created->servers[0].server, false).ok());
  EXPECT_EQ(reg_.Find(created->id)->copies().size(), 1u);
}

TEST_F(RegistryTest, WriteBumpsVersionOnEveryValidCopy) {
  const ServerId a = AddServer(reg_, 1), b = AddServer(reg_, 2);
  AddChunk(reg_, 5, 2, {a, b});
  auto plan = reg_.PrepareWrite(5, 2, /*session=*/9, 1000);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->chunk, 5u);
  EXPECT_EQ(plan->duplicated_from, 0u);
  EXPECT_EQ(plan->old_version, 1u);
  EXPECT_EQ(plan->version, 2u);
  ASSERT_EQ(plan->chain.size(), 2u);
  EXPECT_EQ(plan->chain[0].server, a);
  EXPECT_EQ(plan->chain[1].server, b);
  EXPECT_EQ(StateOn(reg_, 5, a), CopyState::kBusy);
  ASSERT_TRUE(reg_.SetVersionDone(5, a, true).ok());
  ASSERT_TRUE(reg_.SetVersionDone(5, b, false).ok());
  EXPECT_EQ(StateOn(reg_, 5, a), CopyState::kValid);
  EXPECT_EQ(StateOn(reg_, 5, b), CopyState::kInvalid);
  EXPECT_EQ(reg_.Find(5)->copies().Find(a)->version, 2u);
}

TEST_F(RegistryTest, LockedChunkRefusesAnotherWriterUntilUnlockOrTimeout) {
  const ServerId a = AddServer(reg_, 1);
  AddChunk(reg_, 5, 1, {a});
  ASSERT_TRUE(reg_.PrepareWrite(5, 1, 9, 1000).ok());
  ASSERT_TRUE(reg_.SetVersionDone(5, a, true).ok());
  EXPECT_EQ(reg_.PrepareWrite(5, 1, 10, 1001).code(), Code::kLocked);
  EXPECT_TRUE(reg_.PrepareWrite(5, 1, 9, 1001).ok()) << "the holder may write again";
  ASSERT_TRUE(reg_.SetVersionDone(5, a, true).ok());
  EXPECT_EQ(reg_.WriteEnd(5, 10).code(), Code::kLocked);
  ASSERT_TRUE(reg_.WriteEnd(5, 9).ok());
  EXPECT_TRUE(reg_.PrepareWrite(5, 1, 10, 1002).ok());
  ASSERT_TRUE(reg_.SetVersionDone(5, a, true).ok());
  const uint32_t expired = 1002 + reg_.config().lock_timeout;
  EXPECT_TRUE(reg_.PrepareWrite(5, 1, 11, expired).ok()) << "an expired lock is free";
}

TEST_F(RegistryTest, WriteToChunkWithoutValidCopyIsChunkLost) {
  AddServer(reg_, 1);
  ASSERT_TRUE(reg_.ApplyCreate(5, 1).ok());
  EXPECT_EQ(reg_.PrepareWrite(5, 1, 9, 1000).code(), Code::kChunkLost);
  EXPECT_EQ(reg_.PrepareWrite(6, 1, 9, 1000).code(), Code::kNoChunk);
}

TEST_F(RegistryTest, WriteWhileAnOperationIsUnderWayIsBusy) {
  const ServerId a = AddServer(reg_, 1), b = AddServer(reg_, 2);
  AddChunk(reg_, 5, 2, {a});
  ASSERT_TRUE(reg_.StartReplication(5, a, b, 1000).ok());
  EXPECT_EQ(reg_.PrepareWrite(5, 2, 9, 1000).code(), Code::kChunkBusy);
}

TEST_F(RegistryTest, WriteToSharedChunkDuplicatesIt) {
  const ServerId a = AddServer(reg_, 1), b = AddServer(reg_, 2);
  AddChunk(reg_, 5, 2, {a, b});
  ASSERT_TRUE(reg_.AddRef(5, 2).ok());  // a snapshot shares it
  reg_.set_next_chunk_id(100);
  auto plan = reg_.PrepareWrite(5, 2, 9, 1000);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->chunk, 100u);
  EXPECT_EQ(plan->duplicated_from, 5u);
  EXPECT_EQ(plan->old_version, 1u);
  EXPECT_EQ(plan->version, 1u);
  EXPECT_EQ(plan->chain.size(), 2u);
  EXPECT_EQ(reg_.next_chunk_id(), 101u);
  // The old chunk keeps the snapshot's reference, untouched.
  EXPECT_EQ(reg_.Find(5)->refcount(), 1u);
  EXPECT_EQ(reg_.Find(5)->version(), 1u);
  EXPECT_EQ(StateOn(reg_, 5, a), CopyState::kValid);
  // The new one has the writer's reference and busy copies until duplicated.
  EXPECT_EQ(reg_.Find(100)->refcount(), 1u);
  EXPECT_EQ(StateOn(reg_, 100, b), CopyState::kBusy);
  ASSERT_TRUE(reg_.DuplicateDone(100, a, true).ok());
  ASSERT_TRUE(reg_.DuplicateDone(100, b, true).ok());
  EXPECT_EQ(reg_.ReadLocations(100)->copies.size(), 2u);
  EXPECT_EQ(reg_.WriteEnd(100, 9).code(), Code::kOk);
}

TEST_F(RegistryTest, WriteFailureInvalidatesThatCopy) {
  const ServerId a = AddServer(reg_, 1), b = AddServer(reg_, 2);
  AddChunk(reg_, 5, 2, {a, b});
  ASSERT_TRUE(reg_.ReportWriteFailure(5, b).ok());
  EXPECT_EQ(StateOn(reg_, 5, b), CopyState::kInvalid);
  EXPECT_EQ(Assess(*reg_.Find(5), reg_.servers()).valid, 1u);
  EXPECT_EQ(reg_.ReadLocations(5)->copies.size(), 1u);
}

TEST_F(RegistryTest, ReadLocationsListsValidCopiesWithAddresses) {
  const ServerId a = AddServer(reg_, 1), b = AddServer(reg_, 2);
  AddChunk(reg_, 5, 2, {a, b});
  ASSERT_TRUE(reg_.ReportWriteFailure(5, a).ok());
  auto read = reg_.ReadLocations(5);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version, 1u);
  ASSERT_EQ(read->copies.size(), 1u);
  EXPECT_EQ(read->copies[0].server, b);
  EXPECT_EQ(read->copies[0].address.ip, 0x7f000002u);
  EXPECT_EQ(read->copies[0].address.port, 9422);
}

TEST_F(RegistryTest, LastReferenceGoneWithoutCopiesForgetsTheChunk) {
  ASSERT_TRUE(reg_.ApplyCreate(5, 1).ok());
  ASSERT_TRUE(reg_.RemoveRef(5, 1).ok());
  EXPECT_EQ(reg_.Find(5), nullptr);
  EXPECT_EQ(reg_.RemoveRef(5, 1).code(), Code::kNoChunk);
}

TEST_F(RegistryTest, ReplayedMutationsNeedNoServers) {
  ASSERT_TRUE(reg_.ApplyCreate(7, 2).ok());
  ASSERT_TRUE(reg_.AddRef(7, 3).ok());
  ASSERT_TRUE(reg_.ApplyIncVersion(7).ok());
  ASSERT_TRUE(reg_.ApplyDuplicate(7, 8, 3).ok());
  ASSERT_TRUE(reg_.ChangeGoal(7, 2, 4).ok());
  EXPECT_EQ(reg_.Find(7)->version(), 2u);
  EXPECT_EQ(reg_.Find(7)->goal(), 4);
  EXPECT_EQ(reg_.Find(8)->goal(), 3);
  EXPECT_EQ(reg_.next_chunk_id(), 9u);
  EXPECT_EQ(reg_.ApplyCreate(8, 1).code(), Code::kChunkExists);
  EXPECT_EQ(reg_.ApplyDuplicate(8, 9, 3).code(), Code::kInval) << "not shared";
}

}  // namespace
}  // namespace elk::master
