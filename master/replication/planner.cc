#include "master/replication/planner.h"

#include <algorithm>

#include "master/replication/chunk_jobs.h"
#include "master/replication/rebalance.h"

namespace elk::master::replication {

std::vector<ChunkId> Planner::NextSlice(const ChunkRegistry& registry) {
  const ChunkId end = registry.next_chunk_id();
  if (cursor_ >= end) {  // a pass is over
    cursor_ = 1;
    undergoal_last_pass_ = undergoal_this_pass_;
    undergoal_this_pass_ = 0;
  }
  const uint64_t span = end > 1 ? end - 1 : 0;
  const uint64_t loop = std::max<uint32_t>(config_.chunks_loop_time, 1);
  const uint64_t size = std::max<uint64_t>(1, (span * config_.tick_interval + loop - 1) / loop);
  std::vector<ChunkId> ids;
  // Bounded by ids stepped over, not chunks found: a sparse id space costs no more.
  const ChunkId stop = std::min<ChunkId>(end, cursor_ + size);
  for (; cursor_ < stop; ++cursor_) {
    if (registry.Find(cursor_) != nullptr) ids.push_back(cursor_);
  }
  return ids;
}

void Planner::DeleteOrphans(TickContext& ctx) {
  std::deque<OrphanCopy>& orphans = ctx.registry.orphans();
  // One look at each: those whose server is at its deletion limit wait at the back.
  for (size_t n = orphans.size(); n > 0 && !ctx.Full(); --n) {
    const OrphanCopy o = orphans.front();
    orphans.pop_front();
    if (ctx.registry.operations().deletions_on(o.server) >= config_.del_limit) {
      orphans.push_back(o);
      continue;
    }
    if (!ctx.registry.StartDeletion(o.chunk, o.server, ctx.now).ok()) continue;
    ctx.actions.push_back(
        {ActionKind::kDelete, Reason::kOrphan, o.chunk, o.version, kNoServer, o.server});
    ++ctx.stats.deletions;
  }
}

void Planner::ReplicateNeeds(std::vector<ChunkId>& ids, TickContext& ctx) {
  std::vector<ReplicationNeed> needs;
  for (ChunkId id : ids) {
    const Chunk* chunk = ctx.registry.Find(id);
    if (chunk == nullptr) continue;
    if (auto need = PlanChunk(id, *chunk, ctx)) needs.push_back(*need);
  }
  undergoal_this_pass_ += needs.size() + ctx.stats.delayed;
  std::sort(needs.begin(), needs.end());
  backlog_.clear();
  for (const ReplicationNeed& need : needs) {
    const Outcome outcome = ctx.Full() ? Outcome::kBlocked : Replicate(need, ctx);
    if (outcome == Outcome::kNoTarget) ++ctx.stats.no_target;
    if (outcome != Outcome::kBlocked) continue;
    ++ctx.stats.blocked;
    if (backlog_.size() < config_.backlog_limit) backlog_.push_back(need.chunk);
  }
}

std::vector<Action> Planner::Tick(ChunkRegistry& registry, uint32_t now) {
  registry.ExpireOperations(now, config_.operation_timeout);
  std::vector<Action> actions;
  stats_ = {};
  TickContext ctx{registry, config_, now, now >= start_time_ + config_.replications_delay_init,
                  actions,  stats_};
  DeleteOrphans(ctx);
  const std::vector<ChunkId> slice = NextSlice(registry);
  std::vector<ChunkId> ids = backlog_;
  ids.insert(ids.end(), slice.begin(), slice.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ReplicateNeeds(ids, ctx);
  if (ctx.replication_allowed && undergoal_this_pass_ == 0 && undergoal_last_pass_ == 0) {
    Rebalance(slice, ctx);
  }
  return actions;
}

}  // namespace elk::master::replication
