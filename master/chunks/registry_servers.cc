// Chunkserver life: registration, reports of held chunks, space updates, disconnection.

#include "common/log/log.h"
#include "master/chunks/registry.h"

namespace elk::master {

Result<ServerId> ChunkRegistry::RegisterServer(ServerAddress address, uint64_t used_bytes,
                                               uint64_t total_bytes, uint32_t now) {
  for (const ChunkServer& s : servers_.all()) {
    // The old connection must be closed (ServerDisconnected) before the server is back.
    if (s.connected && s.address == address) {
      return Status(Code::kBadRegister,
                    fmt::format("chunkserver {}.{}.{}.{}:{} already connected", address.ip >> 24,
                                (address.ip >> 16) & 255, (address.ip >> 8) & 255, address.ip & 255,
                                address.port));
    }
  }
  auto id = servers_.Connect(address);
  if (!id) return Status(Code::kBadRegister, "no free chunkserver id");
  ChunkServer& s = *servers_.Find(*id);
  s.used_bytes = used_bytes;
  s.total_bytes = total_bytes;
  s.load = 0;
  s.marked_for_removal = false;
  s.unknown_reported = 0;
  s.newer_reported = 0;
  // The server's link logs the registration for people; this line is for debugging ids.
  log::Debug("chunkserver id {} given to port {} at {}", *id, address.port, now);
  return *id;
}

Status ChunkRegistry::UpdateServer(ServerId id, uint64_t used_bytes, uint64_t total_bytes,
                                   uint32_t load) {
  ChunkServer* s = servers_.Find(id);
  if (s == nullptr || !s->connected) return Status(Code::kDisconnected, "unknown chunkserver");
  s->used_bytes = used_bytes;
  s->total_bytes = total_bytes;
  s->load = load;
  return Status::Ok();
}

Status ChunkRegistry::SetServerMarkedForRemoval(ServerId id, bool marked) {
  ChunkServer* s = servers_.Find(id);
  if (s == nullptr || !s->connected) return Status(Code::kDisconnected, "unknown chunkserver");
  s->marked_for_removal = marked;
  return Status::Ok();
}

Status ChunkRegistry::ServerReportsChunks(ServerId id, std::span<const ReportedChunk> chunks) {
  if (!servers_.IsConnected(id)) return Status(Code::kDisconnected, "unknown chunkserver");
  for (const ReportedChunk& r : chunks)
    Reconcile(id, r);
  return Status::Ok();
}

void ChunkRegistry::Reconcile(ServerId server, const ReportedChunk& r) {
  ChunkServer& s = *servers_.Find(server);
  Chunk* chunk = FindMutable(r.id);
  if (chunk == nullptr) {
    // Queued for deletion up to a bound per registration, so a report of millions of
    // made-up ids costs bounded memory; the rest are asked again at its next registration.
    if (s.unknown_reported++ < kMaxOrphansPerRegistration)
      orphans_.push_back(OrphanCopy{server, r.id, r.version});
    return;
  }
  // Only the registry's own version makes a copy valid. A newer one is never taken on a
  // server's word at registration: the first server to register would otherwise set the
  // version for all (a buggy or hostile one could make every good copy stale). It stays
  // an invalid copy - kept while the chunk has no valid one, deleted once a valid copy
  // exists.
  if (r.version > chunk->version()) ++s.newer_reported;
  const CopyState state = r.version == chunk->version() ? CopyState::kValid : CopyState::kInvalid;
  if (Copy* existing = chunk->copies().Find(server)) {
    *existing = Copy{server, state, r.marked_for_removal, r.version};
  } else {
    AddCopy(*chunk, Copy{server, state, r.marked_for_removal, r.version});
  }
}

Status ChunkRegistry::ServerDisconnected(ServerId id, uint32_t now) {
  if (!servers_.IsConnected(id)) return Status(Code::kDisconnected, "unknown chunkserver");
  size_t lost = 0;
  for (auto it = chunks_.begin(); it != chunks_.end();) {
    Chunk& chunk = it->second;
    const Copy* copy = chunk.copies().Find(id);
    if (copy == nullptr) {
      ++it;
      continue;
    }
    if (copy->state == CopyState::kValid) chunk.set_lost_copy_at(now);
    chunk.copies().Remove(id);
    ++lost;
    if (chunk.refcount() == 0 && chunk.copies().empty()) {
      locks_.Unlock(it->first);
      it = chunks_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(orphans_, [id](const OrphanCopy& o) { return o.server == id; });
  ops_.ForgetServer(id);
  servers_.Disconnect(id, now);
  log::Info("chunkserver {} disconnected; {} copies dropped", id, lost);
  return Status::Ok();
}

}  // namespace elk::master
