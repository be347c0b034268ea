#pragma once
// What one planner tick works with; passed to the per-chunk and rebalancing rules.

#include <cstdint>
#include <vector>

#include "master/chunks/registry.h"
#include "master/replication/action.h"
#include "master/replication/config.h"

namespace elk::master::replication {

// Counts of the last tick, for the monitor and the log.
struct TickStats {
  uint64_t visited = 0;
  uint64_t missing = 0;    // referenced, no valid copy: nothing to copy from
  uint64_t delayed = 0;    // under goal, waiting for a REPLICATIONS_DELAY_*
  uint64_t blocked = 0;    // under goal, every usable server at its limit
  uint64_t no_target = 0;  // under goal, no server can take another copy
  uint64_t replications = 0;
  uint64_t deletions = 0;
  uint64_t rebalances = 0;
};

struct TickContext {
  ChunkRegistry& registry;
  const Config& config;
  uint32_t now;
  bool replication_allowed;  // false during REPLICATIONS_DELAY_INIT
  std::vector<Action>& actions;
  TickStats& stats;

  bool Full() const { return actions.size() >= config.max_actions_per_tick; }
};

}  // namespace elk::master::replication
