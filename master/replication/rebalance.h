#pragma once
// Evening out disk usage: when the fullest and the emptiest server's used/total differ
// by more than ACCEPTABLE_DIFFERENCE, copy stable chunks from the fullest to the emptiest.
// The chunk is then over goal, and the over-goal rule deletes the copy on the fullest
// server - the move completes without a special path. Low priority: the planner calls it
// only when no chunk is under goal.

#include <span>

#include "master/replication/context.h"

namespace elk::master::replication {

// Starts up to rebalance_per_tick moves, choosing among `candidates` (this tick's slice).
void Rebalance(std::span<const ChunkId> candidates, TickContext& ctx);

}  // namespace elk::master::replication
