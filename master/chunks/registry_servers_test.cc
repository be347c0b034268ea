// Chunkservers coming and going, and what their reports do to the registry.

#include <gtest/gtest.h>

#include "master/chunks/health.h"
#include "master/chunks/registry.h"
#include "master/chunks/test_cluster.h"

namespace elk::master {
namespace {

using testing::AddChunk;
using testing::AddServer;
using testing::StateOn;

TEST(RegistryServers, ReportWithCurrentVersionIsValidOlderIsInvalid) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  ASSERT_TRUE(reg.ApplyCreate(5, 2).ok());
  ASSERT_TRUE(reg.ApplyIncVersion(5).ok());  // version 2
  const ReportedChunk current{5, 2, false}, stale{5, 1, false};
  ASSERT_TRUE(reg.ServerReportsChunks(a, {&current, 1}).ok());
  ASSERT_TRUE(reg.ServerReportsChunks(b, {&stale, 1}).ok());
  EXPECT_EQ(StateOn(reg, 5, a), CopyState::kValid);
  EXPECT_EQ(StateOn(reg, 5, b), CopyState::kInvalid);
  EXPECT_EQ(reg.servers().Find(a)->chunk_count, 1u);
}

TEST(RegistryServers, UnknownChunkBecomesAnOrphanToDelete) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1);
  const ReportedChunk unknown{77, 3, false};
  ASSERT_TRUE(reg.ServerReportsChunks(a, {&unknown, 1}).ok());
  ASSERT_EQ(reg.orphans().size(), 1u);
  EXPECT_EQ(reg.orphans().front().chunk, 77u);
  EXPECT_EQ(reg.orphans().front().server, a);
  EXPECT_EQ(reg.Find(77), nullptr);
}

TEST(RegistryServers, NewerVersionNeverRaisesTheRegistrysVersion) {
  ChunkRegistry reg;
  const ServerId rogue = AddServer(reg, 1), good = AddServer(reg, 2);
  ASSERT_TRUE(reg.ApplyCreate(5, 2).ok());
  ASSERT_TRUE(reg.ApplyIncVersion(5).ok());  // version 2
  // The first server to register claims a far newer version, while no valid copy is known.
  const ReportedChunk claim{5, 0xFFFFFFF0u, false};
  ASSERT_TRUE(reg.ServerReportsChunks(rogue, {&claim, 1}).ok());
  EXPECT_EQ(reg.Find(5)->version(), 2u);
  EXPECT_EQ(StateOn(reg, 5, rogue), CopyState::kInvalid);
  EXPECT_EQ(reg.ReadLocations(5).code(), Code::kChunkLost);  // never served to readers
  EXPECT_EQ(reg.servers().Find(rogue)->newer_reported, 1u);
  // The server that really holds the chunk registers after it: its copy is the valid one.
  const ReportedChunk held{5, 2, false};
  ASSERT_TRUE(reg.ServerReportsChunks(good, {&held, 1}).ok());
  EXPECT_EQ(StateOn(reg, 5, good), CopyState::kValid);
  auto read = reg.ReadLocations(5);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version, 2u);
  ASSERT_EQ(read->copies.size(), 1u);
  EXPECT_EQ(read->copies[0].server, good);
  // One more version than the registry's is no better than many.
  const ReportedChunk next{5, 3, false};
  ASSERT_TRUE(reg.ServerReportsChunks(rogue, {&next, 1}).ok());
  EXPECT_EQ(reg.Find(5)->version(), 2u);
  EXPECT_EQ(StateOn(reg, 5, rogue), CopyState::kInvalid);
}

TEST(RegistryServers, UnknownChunkFloodIsBoundedPerRegistration) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1);
  const uint64_t cap = ChunkRegistry::kMaxOrphansPerRegistration;
  std::vector<ReportedChunk> flood;
  for (uint64_t i = 0; i < cap + 5000; ++i)
    flood.push_back({1000000 + i, 1, false});
  ASSERT_TRUE(reg.ServerReportsChunks(a, flood).ok());
  ASSERT_TRUE(reg.ServerReportsChunks(a, flood).ok());  // the same again, in another batch
  EXPECT_EQ(reg.orphans().size(), cap);
  EXPECT_EQ(reg.servers().Find(a)->unknown_reported, 2 * (cap + 5000));
  EXPECT_EQ(reg.chunk_count(), 0u);
  // A new registration of the server may queue the next ones.
  ASSERT_TRUE(reg.ServerDisconnected(a, 100).ok());
  EXPECT_TRUE(reg.orphans().empty());
  const ServerId again = AddServer(reg, 1);
  EXPECT_EQ(reg.servers().Find(again)->unknown_reported, 0u);
}

TEST(RegistryServers, ChunkNoServerHasStaysMissing) {
  ChunkRegistry reg;
  AddServer(reg, 1);
  ASSERT_TRUE(reg.ApplyCreate(5, 2).ok());
  ASSERT_NE(reg.Find(5), nullptr);
  EXPECT_EQ(reg.Find(5)->copies().size(), 0u);
  EXPECT_EQ(reg.ReadLocations(5).code(), Code::kChunkLost);
}

TEST(RegistryServers, DisconnectDropsCopiesAndRemembersWhen) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 5, 2, {a, b});
  AddChunk(reg, 6, 1, {a});
  ASSERT_TRUE(reg.ServerDisconnected(b, 2000).ok());
  EXPECT_EQ(reg.Find(5)->copies().size(), 1u);
  EXPECT_EQ(reg.Find(5)->lost_copy_at(), 2000u);
  EXPECT_EQ(reg.Find(6)->lost_copy_at(), 0u);
  EXPECT_FALSE(reg.servers().IsConnected(b));
  EXPECT_EQ(reg.servers().Find(b)->disconnected_since, 2000u);
  EXPECT_EQ(reg.ServerDisconnected(b, 2001).code(), Code::kDisconnected);
}

TEST(RegistryServers, ServerComingBackGetsItsOldId) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1);
  AddServer(reg, 2);
  ASSERT_TRUE(reg.ServerDisconnected(a, 2000).ok());
  EXPECT_EQ(AddServer(reg, 1), a);
  EXPECT_TRUE(reg.servers().IsConnected(a));
  EXPECT_EQ(AddServer(reg, 3), 3);
}

TEST(RegistryServers, SecondRegistrationFromAConnectedAddressIsRefused) {
  ChunkRegistry reg;
  AddServer(reg, 1);
  EXPECT_EQ(reg.RegisterServer({0x7f000001u, 9422}, 0, 1, 1000).code(), Code::kBadRegister);
  EXPECT_EQ(reg.servers().connected_count(), 1u);
}

TEST(RegistryServers, LateReplicationAnswerStillCountsTheCopy) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 5, 2, {a});
  ASSERT_TRUE(reg.StartReplication(5, a, b, 1000).ok());
  reg.ExpireOperations(2000, 60);
  ASSERT_EQ(reg.Find(5)->copies().Find(b), nullptr);
  ASSERT_TRUE(reg.ReplicationDone(5, b, 1, true).ok());
  EXPECT_EQ(StateOn(reg, 5, b), CopyState::kValid);
  ASSERT_TRUE(reg.ReplicationDone(77, b, 1, true).ok());
  ASSERT_EQ(reg.orphans().size(), 1u) << "a copy of a chunk nobody knows";
  EXPECT_EQ(reg.orphans().front().chunk, 77u);
}

TEST(RegistryServers, DamagedOrLostCopyIsDropped) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 5, 2, {a, b});
  ASSERT_TRUE(reg.ChunkDamaged(a, 5).ok());
  EXPECT_EQ(reg.Find(5)->copies().Find(a), nullptr);
  ASSERT_TRUE(reg.ChunkLost(b, 5).ok());
  EXPECT_EQ(reg.Find(5)->copies().size(), 0u);
  EXPECT_EQ(reg.ChunkLost(b, 5).code(), Code::kNoChunk);
}

TEST(RegistryServers, MarkedCopiesAreValidButNotRegular) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  ASSERT_TRUE(reg.ApplyCreate(5, 2).ok());
  const ReportedChunk marked{5, 1, true}, plain{5, 1, false};
  ASSERT_TRUE(reg.ServerReportsChunks(a, {&marked, 1}).ok());
  ASSERT_TRUE(reg.ServerReportsChunks(b, {&plain, 1}).ok());
  ChunkHealth h = Assess(*reg.Find(5), reg.servers());
  EXPECT_EQ(h.valid, 2u);
  EXPECT_EQ(h.regular, 1u);
  ASSERT_TRUE(reg.SetServerMarkedForRemoval(b, true).ok());
  EXPECT_EQ(Assess(*reg.Find(5), reg.servers()).regular, 0u);
}

TEST(RegistryServers, ReplicationResultsMakeOrDropTheCopy) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2), c = AddServer(reg, 3);
  AddChunk(reg, 5, 3, {a});
  ASSERT_TRUE(reg.StartReplication(5, a, b, 1000).ok());
  ASSERT_TRUE(reg.StartReplication(5, a, c, 1000).ok());
  EXPECT_EQ(reg.operations().replications_out_of(a), 2u);
  EXPECT_EQ(reg.StartReplication(5, a, b, 1000).code(), Code::kChunkExists);
  ASSERT_TRUE(reg.ReplicationDone(5, b, 1, true).ok());
  ASSERT_TRUE(reg.ReplicationDone(5, c, 1, false).ok());
  EXPECT_EQ(StateOn(reg, 5, b), CopyState::kValid);
  EXPECT_EQ(reg.Find(5)->copies().Find(c), nullptr);
  EXPECT_EQ(reg.operations().replications_out_of(a), 0u);
  EXPECT_EQ(reg.operations().replications_into(b), 0u);
}

TEST(RegistryServers, TargetLeavingFreesItsReplicationSlots) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 5, 2, {a});
  ASSERT_TRUE(reg.StartReplication(5, a, b, 1000).ok());
  ASSERT_TRUE(reg.ServerDisconnected(b, 1001).ok());
  EXPECT_EQ(reg.operations().replications_out_of(a), 0u);
  EXPECT_EQ(reg.operations().replications(), 0u);
  EXPECT_EQ(reg.Find(5)->copies().size(), 1u);
  EXPECT_EQ(reg.Find(5)->lost_copy_at(), 0u) << "a busy copy was no valid copy lost";
}

TEST(RegistryServers, UnansweredOperationsExpire) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 5, 2, {a});
  ASSERT_TRUE(reg.StartReplication(5, a, b, 1000).ok());
  reg.ExpireOperations(1010, 60);
  EXPECT_EQ(reg.operations().replications_into(b), 1u);
  reg.ExpireOperations(1060, 60);
  EXPECT_EQ(reg.operations().replications_into(b), 0u);
  EXPECT_EQ(reg.Find(5)->copies().Find(b), nullptr);
}

TEST(RegistryServers, UnansweredSetVersionLeavesAnInvalidCopyAndFreesTheChunk) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 5, 2, {a, b});
  ASSERT_TRUE(reg.PrepareWrite(5, 2, 9, 1000).ok());
  ASSERT_TRUE(reg.SetVersionDone(5, a, true).ok());
  ASSERT_TRUE(reg.WriteEnd(5, 9).ok());
  EXPECT_EQ(reg.PrepareWrite(5, 2, 9, 1001).code(), Code::kChunkBusy);
  reg.ExpireOperations(1000 + 300, 300);
  EXPECT_EQ(StateOn(reg, 5, b), CopyState::kInvalid);
  EXPECT_EQ(StateOn(reg, 5, a), CopyState::kValid);
  EXPECT_TRUE(reg.PrepareWrite(5, 2, 9, 1301).ok());
}

TEST(RegistryServers, DeletingTheLastCopyOfAnUnreferencedChunkForgetsIt) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1);
  AddChunk(reg, 5, 1, {a});
  ASSERT_TRUE(reg.RemoveRef(5, 1).ok());
  ASSERT_NE(reg.Find(5), nullptr) << "its copy is still to delete";
  ASSERT_TRUE(reg.StartDeletion(5, a, 1000).ok());
  EXPECT_EQ(StateOn(reg, 5, a), CopyState::kDel);
  ASSERT_TRUE(reg.DeleteDone(5, a, true).ok());
  EXPECT_EQ(reg.Find(5), nullptr);
  EXPECT_EQ(reg.operations().deletions_on(a), 0u);
}

}  // namespace
}  // namespace elk::master
