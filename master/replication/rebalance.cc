#include "master/replication/rebalance.h"

#include "master/chunks/health.h"

namespace elk::master::replication {
namespace {

struct Pair {
  ServerId fullest = kNoServer;
  ServerId emptiest = kNoServer;
  double spread = 0;
};

// The fullest server (any connected one not being emptied anyway) and the emptiest that
// can take a copy.
Pair FindPair(const TickContext& ctx) {
  Pair p;
  double high = -1, low = 2;
  for (const ChunkServer& s : ctx.registry.servers().all()) {
    if (!s.connected || s.marked_for_removal || s.total_bytes == 0) continue;
    if (s.usage() > high) {
      high = s.usage();
      p.fullest = s.id;
    }
    if (CanTakeCopy(s, ctx.registry.config().placement) && s.usage() < low) {
      low = s.usage();
      p.emptiest = s.id;
    }
  }
  p.spread = high - low;
  return p;
}

bool Movable(ChunkId id, const Chunk& chunk, const Pair& p, const TickContext& ctx) {
  if (chunk.refcount() == 0 || ctx.registry.IsLocked(id, ctx.now)) return false;
  const ChunkHealth h = Assess(chunk, ctx.registry.servers());
  if (h.busy > 0 || h.deleting > 0 || h.regular != chunk.goal()) return false;
  const Copy* from = chunk.copies().Find(p.fullest);
  return from != nullptr && from->state == CopyState::kValid &&
         !IsMarkedForRemoval(*from, ctx.registry.servers()) &&
         chunk.copies().Find(p.emptiest) == nullptr;
}

bool WithinLimits(const Pair& p, const TickContext& ctx) {
  const OperationTracker& ops = ctx.registry.operations();
  return ops.replications_out_of(p.fullest) < ctx.config.read_rep_limit &&
         ops.replications_into(p.emptiest) < ctx.config.write_rep_limit && !ctx.Full();
}

}  // namespace

void Rebalance(std::span<const ChunkId> candidates, TickContext& ctx) {
  const Pair p = FindPair(ctx);
  if (p.fullest == kNoServer || p.emptiest == kNoServer || p.fullest == p.emptiest) return;
  if (p.spread <= ctx.config.acceptable_difference) return;
  uint32_t moved = 0;
  for (ChunkId id : candidates) {
    if (moved >= ctx.config.rebalance_per_tick || !WithinLimits(p, ctx)) return;
    const Chunk* chunk = ctx.registry.Find(id);
    if (chunk == nullptr || !Movable(id, *chunk, p, ctx)) continue;
    if (!ctx.registry.StartReplication(id, p.fullest, p.emptiest, ctx.now).ok()) continue;
    ctx.actions.push_back(
        {ActionKind::kReplicate, Reason::kRebalance, id, chunk->version(), p.fullest, p.emptiest});
    ++ctx.stats.rebalances;
    ++moved;
  }
}

}  // namespace elk::master::replication
