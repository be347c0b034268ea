#pragma once
// What the planner asks the master server to send to chunkservers this tick. The
// registry already reflects each action (busy copy on the target, copy being deleted);
// the server reports the outcome back through ChunkRegistry::ReplicationDone/DeleteDone.

#include <cstdint>

#include "master/chunks/types.h"

namespace elk::master::replication {

enum class ActionKind : uint8_t {
  kReplicate = 0,  // `target` copies the chunk from `source`
  kDelete = 1,     // `target` deletes its copy
};

enum class Reason : uint8_t {
  kUnderGoal = 0,  // too few valid copies
  kMarked = 1,     // the copies live on disks marked for removal
  kRebalance = 2,  // usage differs too much between servers
  kOverGoal = 3,   // more valid copies than the goal
  kInvalid = 4,    // a stale or failed copy
  kUnused = 5,     // no file references the chunk
  kOrphan = 6,     // the registry does not know the chunk
};

struct Action {
  ActionKind kind = ActionKind::kReplicate;
  Reason reason = Reason::kUnderGoal;
  ChunkId chunk = 0;
  uint32_t version = 0;         // of the copy; in a delete, 0 means "whatever version it holds"
  ServerId source = kNoServer;  // replications only
  ServerId target = kNoServer;
  bool operator==(const Action&) const = default;
};

}  // namespace elk::master::replication
