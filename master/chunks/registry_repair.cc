// mfsfilerepair's part of the registry: a chunk whose current version no server holds may
// go back to the newest older version a server still has (its data as of an earlier
// write), as MooseFS's repair does.

#include <fmt/format.h>

#include "master/chunks/registry.h"

namespace elk::master {

Result<ChunkRegistry::RepairChoice> ChunkRegistry::RepairCandidate(ChunkId id) const {
  const Chunk* chunk = Find(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  RepairChoice out;
  for (const Copy& c : chunk->copies().view()) {
    // A busy copy of the current version is being worked on (replicated, say), not lost.
    const bool current = c.version == chunk->version() &&
                         (c.state == CopyState::kValid || c.state == CopyState::kBusy);
    if (current) {
      out.has_valid = true;
      return out;
    }
    // Only an invalid copy (not one being deleted) of an older version can be taken back.
    if (c.state == CopyState::kInvalid && c.version < chunk->version() &&
        c.version > out.older_version) {
      out.older_version = c.version;
    }
  }
  return out;
}

Status ChunkRegistry::RevertVersion(ChunkId id, uint32_t version) {
  Chunk* chunk = FindMutable(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, fmt::format("no chunk {:016X}", id));
  chunk->set_version(version);
  for (Copy& c : chunk->copies().view()) {
    if (c.state == CopyState::kInvalid && c.version == version) c.state = CopyState::kValid;
  }
  return Status::Ok();
}

}  // namespace elk::master
