#include "master/replication/chunk_jobs.h"

#include <algorithm>
#include <vector>

#include "master/chunks/health.h"

namespace elk::master::replication {
namespace {

double UsageOf(const ServerTable& servers, ServerId id) {
  const ChunkServer* s = servers.Find(id);
  return s != nullptr ? s->usage() : 0.0;
}

// Copies to drop once enough regular copies exist: the marked ones, then regular ones
// beyond the goal from the fullest server down.
void DeleteSurplus(ChunkId id, const Chunk& chunk, const ChunkHealth& h, TickContext& ctx) {
  const ServerTable& servers = ctx.registry.servers();
  std::vector<Copy> regular;
  for (const Copy& c : chunk.copies().view()) {
    if (c.state != CopyState::kValid || !servers.IsConnected(c.server)) continue;
    if (IsMarkedForRemoval(c, servers)) {
      Delete(id, c, Reason::kMarked, ctx);
    } else {
      regular.push_back(c);
    }
  }
  if (h.regular <= chunk.goal()) return;
  std::sort(regular.begin(), regular.end(), [&](const Copy& a, const Copy& b) {
    return UsageOf(servers, a.server) > UsageOf(servers, b.server);
  });
  uint32_t extra = h.regular - chunk.goal();
  for (const Copy& c : regular) {
    if (extra == 0) break;
    if (Delete(id, c, Reason::kOverGoal, ctx)) --extra;
  }
}

bool Delayed(const Chunk& chunk, const TickContext& ctx) {
  if (!ctx.replication_allowed) return true;
  return chunk.lost_copy_at() != 0 &&
         ctx.now < chunk.lost_copy_at() + ctx.config.replications_delay_disconnect;
}

}  // namespace

bool Delete(ChunkId id, const Copy& copy, Reason reason, TickContext& ctx) {
  if (ctx.Full()) return false;
  if (ctx.registry.operations().deletions_on(copy.server) >= ctx.config.del_limit) return false;
  if (!ctx.registry.StartDeletion(id, copy.server, ctx.now).ok()) return false;
  ctx.actions.push_back({ActionKind::kDelete, reason, id, copy.version, kNoServer, copy.server});
  ++ctx.stats.deletions;
  return true;
}

std::optional<ReplicationNeed> PlanChunk(ChunkId id, const Chunk& chunk, TickContext& ctx) {
  ++ctx.stats.visited;
  const bool unused = chunk.refcount() == 0;
  const ChunkHealth h = Assess(chunk, ctx.registry.servers());
  // Stale copies of a chunk with no valid one are all that is left of its data (a repair
  // tool may adopt one): they stay.
  const bool drop_invalid = unused || h.valid > 0;
  for (const Copy& c : chunk.copies().view()) {
    if (c.state == CopyState::kInvalid && drop_invalid) Delete(id, c, Reason::kInvalid, ctx);
    if (unused && c.state == CopyState::kValid) Delete(id, c, Reason::kUnused, ctx);
  }
  if (unused) return std::nullopt;
  if (h.valid == 0) {
    ++ctx.stats.missing;
    return std::nullopt;
  }
  if (h.busy > 0 || ctx.registry.IsLocked(id, ctx.now)) return std::nullopt;
  if (h.regular >= chunk.goal()) {
    DeleteSurplus(id, chunk, h, ctx);
    return std::nullopt;
  }
  if (Delayed(chunk, ctx)) {
    ++ctx.stats.delayed;
    return std::nullopt;
  }
  const Reason reason = h.valid >= chunk.goal() ? Reason::kMarked : Reason::kUnderGoal;
  return ReplicationNeed{id, h.valid, chunk.goal() - h.regular, reason};
}

}  // namespace elk::master::replication
