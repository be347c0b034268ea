#pragma once
// The replication planner: the master's chunk loop. The server calls Tick every
// `tick_interval` seconds; each tick visits a slice of the chunk id space, sized so a
// full pass takes CHUNKS_LOOP_TIME, and returns the operations to send. Chunks that could
// not be served because servers were at their limits are kept in a bounded backlog and
// retried first. Bounded work per tick: the slice, the backlog, max_actions_per_tick.
//
// Order within a tick: deletions of orphan copies (chunks the registry does not know);
// then per chunk the deletions it is due; then replications, most endangered first;
// then, only when no chunk was under goal in this tick and the last full pass, one
// rebalancing move.

#include <cstdint>
#include <vector>

#include "master/chunks/registry.h"
#include "master/replication/action.h"
#include "master/replication/config.h"
#include "master/replication/context.h"

namespace elk::master::replication {

class Planner {
 public:
  // `start_time`: when the master started; replication waits REPLICATIONS_DELAY_INIT
  // from then so every chunkserver can register and report first.
  Planner(Config config, uint32_t start_time) : config_(config), start_time_(start_time) {}

  std::vector<Action> Tick(ChunkRegistry& registry, uint32_t now);

  const TickStats& last_tick() const { return stats_; }
  size_t backlog_size() const { return backlog_.size(); }
  const Config& config() const { return config_; }

 private:
  std::vector<ChunkId> NextSlice(const ChunkRegistry& registry);
  void DeleteOrphans(TickContext& ctx);
  void ReplicateNeeds(std::vector<ChunkId>& ids, TickContext& ctx);

  Config config_;
  uint32_t start_time_;
  ChunkId cursor_ = 1;
  std::vector<ChunkId> backlog_;
  TickStats stats_;
  uint64_t undergoal_this_pass_ = 0;
  uint64_t undergoal_last_pass_ = 0;
};

}  // namespace elk::master::replication
