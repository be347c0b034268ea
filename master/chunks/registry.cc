// Lookups, metadata mutations and the copy bookkeeping shared by the other registry files.

#include "master/chunks/registry.h"

#include <algorithm>

#include "common/log/log.h"

namespace elk::master {

ChunkRegistry::ChunkRegistry(RegistryConfig config) : config_(config), rng_(config.rng_seed) {}

const Chunk* ChunkRegistry::Find(ChunkId id) const {
  auto it = chunks_.find(id);
  return it == chunks_.end() ? nullptr : &it->second;
}

Chunk* ChunkRegistry::FindMutable(ChunkId id) {
  auto it = chunks_.find(id);
  return it == chunks_.end() ? nullptr : &it->second;
}

Location ChunkRegistry::LocationOf(ServerId server) const {
  const ChunkServer* s = servers_.Find(server);
  return Location{server, s != nullptr ? s->address : ServerAddress{}};
}

Status ChunkRegistry::ApplyCreate(ChunkId id, uint8_t goal) {
  if (id == 0) return Status(Code::kWrongChunkId, "chunk id 0");
  auto [it, inserted] = chunks_.try_emplace(id);
  if (!inserted) return Status(Code::kChunkExists, fmt::format("chunk {:016X} exists", id));
  it->second.AddRef(goal);
  next_chunk_id_ = std::max(next_chunk_id_, id + 1);
  return Status::Ok();
}

Status ChunkRegistry::AddRef(ChunkId id, uint8_t goal) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  chunk->AddRef(goal);
  return Status::Ok();
}

Status ChunkRegistry::RemoveRef(ChunkId id, uint8_t goal) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  if (!chunk->RemoveRef(goal)) {
    return Status(Code::kInval, fmt::format("chunk {:016X} has no reference of goal {}", id,
                                            static_cast<int>(goal)));
  }
  ForgetIfUnused(id);
  return Status::Ok();
}

Status ChunkRegistry::ChangeGoal(ChunkId id, uint8_t old_goal, uint8_t new_goal) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  if (!chunk->ChangeGoal(old_goal, new_goal)) {
    return Status(Code::kInval, fmt::format("chunk {:016X} has no reference of goal {}", id,
                                            static_cast<int>(old_goal)));
  }
  return Status::Ok();
}

Status ChunkRegistry::ApplySetVersion(ChunkId id, uint32_t version) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  chunk->set_version(version);
  return Status::Ok();
}

Status ChunkRegistry::ApplyIncVersion(ChunkId id) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  chunk->set_version(chunk->version() + 1);
  return Status::Ok();
}

Status ChunkRegistry::ApplyDuplicate(ChunkId old_id, ChunkId new_id, uint8_t goal) {
  Chunk* old_chunk = FindMutable(old_id);
  if (old_chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", old_id));
  if (old_chunk->refcount() < 2) {
    return Status(Code::kInval, fmt::format("chunk {:016X} is not shared", old_id));
  }
  if (Find(new_id) != nullptr) {
    return Status(Code::kChunkExists, fmt::format("chunk {:016X} exists", new_id));
  }
  if (!old_chunk->RemoveRef(goal)) {
    return Status(Code::kInval, fmt::format("chunk {:016X} has no reference of goal {}", old_id,
                                            static_cast<int>(goal)));
  }
  return ApplyCreate(new_id, goal);
}

void ChunkRegistry::AddCopy(Chunk& chunk, const Copy& copy) {
  chunk.copies().Add(copy);
  if (ChunkServer* s = servers_.Find(copy.server)) ++s->chunk_count;
}

bool ChunkRegistry::RemoveCopy(Chunk& chunk, ServerId server) {
  if (!chunk.copies().Remove(server)) return false;
  ChunkServer* s = servers_.Find(server);
  if (s != nullptr && s->chunk_count > 0) --s->chunk_count;
  return true;
}

// A chunk with no references and no copies left is forgotten; one that still has copies
// stays until the planner has deleted them.
void ChunkRegistry::ForgetIfUnused(ChunkId id) {
  auto it = chunks_.find(id);
  if (it == chunks_.end()) return;
  if (it->second.refcount() != 0 || !it->second.copies().empty()) return;
  chunks_.erase(it);
  locks_.Unlock(id);
}

std::vector<Location> ChunkRegistry::ValidLocations(const Chunk& chunk) const {
  std::vector<Location> out;
  for (const Copy& c : chunk.copies().view()) {
    if (c.state == CopyState::kValid && servers_.IsConnected(c.server)) {
      out.push_back(LocationOf(c.server));
    }
  }
  return out;
}

Status ChunkRegistry::DropCopy(ServerId server, ChunkId id) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  if (!RemoveCopy(*chunk, server)) {
    return Status(Code::kNoChunk,
                  fmt::format("chunk {:016X} has no copy on server {}", id, server));
  }
  log::Info("chunk {:016X}: copy on server {} dropped", id, server);
  ForgetIfUnused(id);
  return Status::Ok();
}

Result<std::vector<ServerId>> ChunkRegistry::Choose(uint32_t count,
                                                    std::span<const ServerId> exclude) {
  return ChooseServers(servers_, count, exclude, config_.placement, rng_);
}

}  // namespace elk::master
