// Client-driven operations: create, write (version bump or copy-on-write), read.

#include <algorithm>

#include "common/log/log.h"
#include "master/chunks/registry.h"

namespace elk::master {
namespace {

bool AnyBusy(const Chunk& chunk) {
  const auto copies = chunk.copies().view();
  return std::any_of(copies.begin(), copies.end(),
                     [](const Copy& c) { return c.state == CopyState::kBusy; });
}

}  // namespace

Result<NewChunk> ChunkRegistry::CreateChunk(uint8_t goal, uint32_t now, uint32_t session) {
  goal = std::clamp<uint8_t>(goal, 1, kMaxChunkGoal);
  auto chosen = Choose(goal, {});
  if (!chosen.ok()) return chosen.status();
  NewChunk out;
  out.id = next_chunk_id_;
  ELK_RETURN_IF_ERROR(ApplyCreate(out.id, goal));
  Chunk& chunk = *FindMutable(out.id);
  if (session != 0) locks_.Lock(out.id, session, now + config_.lock_timeout);
  for (ServerId s : *chosen) {
    AddCopy(chunk, Copy{s, CopyState::kBusy, false, 1});
    ops_.StartUpdate(Update{out.id, s, now});
    out.servers.push_back(LocationOf(s));
  }
  out.short_of_goal = chosen->size() < goal;
  if (out.short_of_goal) {
    log::Warning("chunk {:016X}: goal {} but only {} servers can take a copy", out.id,
                 static_cast<int>(goal), chosen->size());
  }
  return out;
}

// Every valid copy goes busy at `version` until its server confirms.
void ChunkRegistry::MakeBusy(ChunkId id, Chunk& chunk, uint32_t version, uint32_t now) {
  for (Copy& c : chunk.copies().view()) {
    if (c.state != CopyState::kValid || !servers_.IsConnected(c.server)) continue;
    c.state = CopyState::kBusy;
    c.version = version;
    ops_.StartUpdate(Update{id, c.server, now});
  }
}

Result<WritePlan> ChunkRegistry::PrepareWrite(ChunkId id, uint8_t goal, uint32_t session,
                                              uint32_t now) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  if (locks_.LockedAgainst(id, session, now)) {
    return Status(Code::kLocked, fmt::format("chunk {:016X} is being written", id));
  }
  if (AnyBusy(*chunk)) {
    return Status(Code::kChunkBusy, fmt::format("chunk {:016X} has an operation under way", id));
  }
  WritePlan plan;
  plan.chain = ValidLocations(*chunk);
  if (plan.chain.empty() && servers_.connected_count() == 0) return NoChunkserverConnected();
  if (plan.chain.empty()) {
    return Status(Code::kChunkLost, fmt::format("chunk {:016X} has no valid copy", id));
  }
  plan.old_version = chunk->version();
  if (chunk->refcount() > 1) {
    plan.chunk = next_chunk_id_;
    plan.duplicated_from = id;
    ELK_RETURN_IF_ERROR(ApplyDuplicate(id, plan.chunk, goal));
    chunk = FindMutable(plan.chunk);
    for (const Location& l : plan.chain) {
      AddCopy(*chunk, Copy{l.server, CopyState::kBusy, false, chunk->version()});
      ops_.StartUpdate(Update{plan.chunk, l.server, now});
    }
  } else {
    plan.chunk = id;
    ELK_RETURN_IF_ERROR(ApplyIncVersion(id));
    MakeBusy(id, *chunk, chunk->version(), now);
  }
  plan.version = chunk->version();
  locks_.Lock(plan.chunk, session, now + config_.lock_timeout);
  return plan;
}

Status ChunkRegistry::WriteEnd(ChunkId id, uint32_t session) {
  if (Find(id) == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  if (locks_.HolderOf(id) != session) {
    return Status(Code::kLocked,
                  fmt::format("chunk {:016X} is not locked by session {}", id, session));
  }
  locks_.Unlock(id);
  return Status::Ok();
}

Status ChunkRegistry::ReportWriteFailure(ChunkId id, ServerId server) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  Copy* copy = chunk->copies().Find(server);
  if (copy == nullptr) {
    return Status(Code::kNoChunk, fmt::format("chunk {:016X} has no copy on {}", id, server));
  }
  copy->state = CopyState::kInvalid;
  copy->version = 0;
  log::Info("chunk {:016X}: write failed on server {}, copy invalid", id, server);
  return Status::Ok();
}

Result<ReadPlan> ChunkRegistry::ReadLocations(ChunkId id) const {
  const Chunk* chunk = Find(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  ReadPlan plan{chunk->version(), ValidLocations(*chunk)};
  if (plan.copies.empty() && servers_.connected_count() == 0) return NoChunkserverConnected();
  if (plan.copies.empty()) {
    return Status(Code::kChunkLost, fmt::format("chunk {:016X} has no valid copy", id));
  }
  return plan;
}

}  // namespace elk::master
