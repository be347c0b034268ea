#pragma once
// How safe a chunk is: its copies counted by what they are worth. Shared by the tools'
// reports, the monitor's matrix and the replication planner, so all three agree.

#include <cstdint>

#include "master/chunks/chunk.h"
#include "master/chunks/server.h"

namespace elk::master {

struct ChunkHealth {
  uint32_t valid = 0;     // valid copies on connected servers
  uint32_t regular = 0;   // of those, not on a disk or server marked for removal
  uint32_t invalid = 0;   // wrong version or failed: to delete
  uint32_t busy = 0;      // an operation is under way
  uint32_t deleting = 0;  // a delete was sent
};

bool IsMarkedForRemoval(const Copy& copy, const ServerTable& servers);
ChunkHealth Assess(const Chunk& chunk, const ServerTable& servers);

}  // namespace elk::master
