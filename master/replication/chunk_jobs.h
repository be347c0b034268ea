#pragma once
// The rules for one chunk, as MooseFS's chunk loop applies them:
//   - no references left: delete every copy;
//   - stale (invalid) copies: delete, unless no valid copy exists (never the last data);
//   - fewer regular valid copies than the goal (copies on disks marked for removal do not
//     count): replicate, most endangered first (the planner sorts the needs);
//   - enough regular copies: delete the marked ones, then any beyond the goal, fullest
//     server first.
// A chunk being written (locked) or with an operation under way gets no replication or
// over-goal deletion; copies that are useless anyway are still deleted.

#include <cstdint>
#include <optional>
#include <tuple>

#include "master/chunks/chunk.h"
#include "master/replication/context.h"

namespace elk::master::replication {

struct ReplicationNeed {
  ChunkId chunk = 0;
  uint32_t valid = 0;    // copies that exist now: the fewer, the more endangered
  uint32_t missing = 0;  // regular copies short of the goal
  Reason reason = Reason::kUnderGoal;

  // Most endangered first: fewest valid copies, then the largest shortfall.
  bool operator<(const ReplicationNeed& o) const {
    return std::tuple(valid, -static_cast<int64_t>(missing), chunk) <
           std::tuple(o.valid, -static_cast<int64_t>(o.missing), o.chunk);
  }
};

// Emits the deletions the chunk is due now (within CHUNKS_DEL_LIMIT) and returns the
// replication it needs, if any and if allowed now.
std::optional<ReplicationNeed> PlanChunk(ChunkId id, const Chunk& chunk, TickContext& ctx);

enum class Outcome { kStarted, kBlocked, kNoTarget };
// Starts the replications `need` asks for, within the per-server limits.
Outcome Replicate(const ReplicationNeed& need, TickContext& ctx);

// Starts a delete of the copy on `server` unless the server is at its deletion limit.
bool Delete(ChunkId id, const Copy& copy, Reason reason, TickContext& ctx);

}  // namespace elk::master::replication
