// Starting the replications one chunk needs, within CHUNKS_READ_REP_LIMIT (per source)
// and CHUNKS_WRITE_REP_LIMIT (per target).

#include <algorithm>
#include <vector>

#include "master/replication/chunk_jobs.h"

namespace elk::master::replication {
namespace {

// The valid copy to read from with the fewest replications out of its server, or none
// when every holder is at its read limit.
ServerId PickSource(const Chunk& chunk, const TickContext& ctx) {
  const ServerTable& servers = ctx.registry.servers();
  const OperationTracker& ops = ctx.registry.operations();
  ServerId best = kNoServer;
  uint32_t best_out = ctx.config.read_rep_limit;
  for (const Copy& c : chunk.copies().view()) {
    if (c.state != CopyState::kValid || !servers.IsConnected(c.server)) continue;
    const uint32_t out = ops.replications_out_of(c.server);
    if (out < best_out) {
      best = c.server;
      best_out = out;
    }
  }
  return best;
}

// Servers that may not receive this chunk: those holding any copy of it, and those at
// their write limit (`limited` tells whether any was left out for that reason alone).
std::vector<ServerId> Unfit(const Chunk& chunk, const TickContext& ctx, bool& limited) {
  std::vector<ServerId> out;
  for (const Copy& c : chunk.copies().view())
    out.push_back(c.server);
  limited = false;
  for (const ChunkServer& s : ctx.registry.servers().all()) {
    if (!s.connected) continue;
    if (ctx.registry.operations().replications_into(s.id) < ctx.config.write_rep_limit) continue;
    if (std::find(out.begin(), out.end(), s.id) != out.end()) continue;
    out.push_back(s.id);
    limited = true;
  }
  return out;
}

}  // namespace

Outcome Replicate(const ReplicationNeed& need, TickContext& ctx) {
  const Chunk* chunk = ctx.registry.Find(need.chunk);
  if (chunk == nullptr) return Outcome::kStarted;  // gone meanwhile: nothing left to do
  bool limited = false;
  const std::vector<ServerId> unfit = Unfit(*chunk, ctx, limited);
  auto targets = ctx.registry.Choose(need.missing, unfit);
  if (!targets.ok()) return limited ? Outcome::kBlocked : Outcome::kNoTarget;
  uint32_t started = 0;
  bool out_of_sources = false;
  for (ServerId target : *targets) {
    const ServerId source = PickSource(*chunk, ctx);
    out_of_sources = source == kNoServer;
    if (out_of_sources || ctx.Full()) break;
    if (!ctx.registry.StartReplication(need.chunk, source, target, ctx.now).ok()) break;
    ctx.actions.push_back(
        {ActionKind::kReplicate, need.reason, need.chunk, chunk->version(), source, target});
    ++ctx.stats.replications;
    ++started;
  }
  if (started == need.missing) return Outcome::kStarted;
  // Short because servers are at their limits: try the rest again soon. Short because
  // fewer servers exist than the goal asks: as many copies as possible, as MooseFS does.
  if (out_of_sources || limited || ctx.Full()) return Outcome::kBlocked;
  return started > 0 ? Outcome::kStarted : Outcome::kNoTarget;
}

}  // namespace elk::master::replication
