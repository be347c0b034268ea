#include "master/chunks/health.h"

namespace elk::master {

bool IsMarkedForRemoval(const Copy& copy, const ServerTable& servers) {
  if (copy.marked_for_removal) return true;
  const ChunkServer* s = servers.Find(copy.server);
  return s != nullptr && s->marked_for_removal;
}

ChunkHealth Assess(const Chunk& chunk, const ServerTable& servers) {
  ChunkHealth h;
  for (const Copy& c : chunk.copies().view()) {
    switch (c.state) {
      case CopyState::kValid:
        if (!servers.IsConnected(c.server)) break;
        ++h.valid;
        if (!IsMarkedForRemoval(c, servers)) ++h.regular;
        break;
      case CopyState::kInvalid:
        ++h.invalid;
        break;
      case CopyState::kBusy:
        ++h.busy;
        break;
      case CopyState::kDel:
        ++h.deleting;
        break;
    }
  }
  return h;
}

}  // namespace elk::master
