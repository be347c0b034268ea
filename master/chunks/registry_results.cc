// Answers from chunkservers to operations the master sent, and the planner's orders.

#include "common/log/log.h"
#include "master/chunks/registry.h"

namespace elk::master {

// A busy copy's operation ended: valid on success; on failure invalid (its data is
// unusable but present, so it must be deleted) or simply gone (nothing was made).
Status ChunkRegistry::FinishBusyCopy(ChunkId id, ServerId server, bool ok, bool keep_invalid) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  Copy* copy = chunk->copies().Find(server);
  if (copy == nullptr || copy->state != CopyState::kBusy) {
    return Status(Code::kMismatch,
                  fmt::format("chunk {:016X} has no busy copy on server {}", id, server));
  }
  if (ok) {
    copy->state = CopyState::kValid;
  } else if (keep_invalid) {
    copy->state = CopyState::kInvalid;
    copy->version = 0;  // unknown: the old or the new one; 0 deletes whatever is there
  } else {
    RemoveCopy(*chunk, server);
    ForgetIfUnused(id);
  }
  return Status::Ok();
}

Status ChunkRegistry::CreateDone(ChunkId id, ServerId server, bool ok) {
  ops_.FinishUpdate(id, server);
  return FinishBusyCopy(id, server, ok, /*keep_invalid=*/false);
}

Status ChunkRegistry::SetVersionDone(ChunkId id, ServerId server, bool ok) {
  ops_.FinishUpdate(id, server);
  return FinishBusyCopy(id, server, ok, /*keep_invalid=*/true);
}

Status ChunkRegistry::DuplicateDone(ChunkId new_id, ServerId server, bool ok) {
  ops_.FinishUpdate(new_id, server);
  return FinishBusyCopy(new_id, server, ok, /*keep_invalid=*/false);
}

Status ChunkRegistry::ReplicationDone(ChunkId id, ServerId to, uint32_t version, bool ok) {
  ops_.FinishReplication(id, to);
  const Chunk* chunk = Find(id);
  const Copy* copy = chunk != nullptr ? chunk->copies().Find(to) : nullptr;
  if (copy == nullptr || copy->state != CopyState::kBusy) {
    // An answer after the operation timed out (or the chunk went away): the server holds
    // a copy the registry no longer expects; take it as that server reporting it.
    if (ok && servers_.IsConnected(to)) Reconcile(to, ReportedChunk{id, version, false});
    return Status::Ok();
  }
  // A copy made while the chunk moved on to another version is stale on arrival.
  if (ok && chunk != nullptr && version != chunk->version()) {
    ELK_RETURN_IF_ERROR(FinishBusyCopy(id, to, false, /*keep_invalid=*/true));
    return Status(Code::kWrongVersion,
                  fmt::format("chunk {:016X} replicated at version {}", id, version));
  }
  return FinishBusyCopy(id, to, ok, /*keep_invalid=*/false);
}

Status ChunkRegistry::DeleteDone(ChunkId id, ServerId server, bool ok) {
  ops_.FinishDeletion(id, server);
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status::Ok();  // an orphan copy
  // A failed delete leaves nothing the master can use either; the server reports the copy
  // again if it still has it when it next registers.
  if (!ok) log::Warning("chunk {:016X}: delete failed on server {}", id, server);
  RemoveCopy(*chunk, server);
  ForgetIfUnused(id);
  return Status::Ok();
}

Status ChunkRegistry::StartReplication(ChunkId id, ServerId from, ServerId to, uint32_t now) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  if (from == to || chunk->copies().Find(to) != nullptr) {
    return Status(Code::kChunkExists, fmt::format("chunk {:016X} is on server {}", id, to));
  }
  const Copy* source = chunk->copies().Find(from);
  if (source == nullptr || source->state != CopyState::kValid) {
    return Status(Code::kNoChunk, fmt::format("chunk {:016X} has no valid copy on {}", id, from));
  }
  AddCopy(*chunk, Copy{to, CopyState::kBusy, false, chunk->version()});
  ops_.StartReplication(Replication{id, from, to, now});
  return Status::Ok();
}

Status ChunkRegistry::StartDeletion(ChunkId id, ServerId server, uint32_t now) {
  if (Chunk* chunk = FindMutable(id)) {
    Copy* copy = chunk->copies().Find(server);
    if (copy == nullptr) {
      return Status(Code::kNoChunk, fmt::format("chunk {:016X} has no copy on {}", id, server));
    }
    copy->state = CopyState::kDel;
  }
  ops_.StartDeletion(Deletion{id, server, now});
  return Status::Ok();
}

void ChunkRegistry::ExpireOperations(uint32_t now, uint32_t timeout) {
  locks_.Expire(now);
  for (const Replication& r : ops_.TakeExpiredReplications(now, timeout)) {
    log::Warning("chunk {:016X}: replication {} -> {} timed out", r.chunk, r.from, r.to);
    (void)FinishBusyCopy(r.chunk, r.to, false, /*keep_invalid=*/false);
  }
  for (const Update& u : ops_.TakeExpiredUpdates(now, timeout)) {
    // Whatever the server did is unknown: an invalid copy is deleted, which is safe
    // whether or not the server made it.
    log::Warning("chunk {:016X}: update on {} timed out", u.chunk, u.server);
    (void)FinishBusyCopy(u.chunk, u.server, false, /*keep_invalid=*/true);
  }
  for (const Deletion& d : ops_.TakeExpiredDeletions(now, timeout)) {
    log::Warning("chunk {:016X}: delete on {} timed out", d.chunk, d.server);
    if (Chunk* chunk = FindMutable(d.chunk)) {
      // Try again later: back to a state the planner deletes.
      if (Copy* copy = chunk->copies().Find(d.server)) copy->state = CopyState::kInvalid;
    }
  }
}

}  // namespace elk::master
