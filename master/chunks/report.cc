#include "master/chunks/report.h"

#include <algorithm>

#include "master/chunks/health.h"

namespace elk::master {
namespace {

CopyView ViewOf(const Copy& copy, const ServerTable& servers) {
  switch (copy.state) {
    case CopyState::kInvalid:
      return CopyView::kWrongVersion;
    case CopyState::kDel:
      return CopyView::kBeingDeleted;
    case CopyState::kBusy:
      return CopyView::kBusy;
    case CopyState::kValid:
      break;
  }
  return IsMarkedForRemoval(copy, servers) ? CopyView::kMarkedForRemoval : CopyView::kValid;
}

uint32_t Slot(uint32_t copies) {
  return std::min(copies, kCopySlots - 1);
}

}  // namespace

Result<ChunkInfo> DescribeChunk(const ChunkRegistry& registry, ChunkId id, uint32_t now) {
  const Chunk* chunk = registry.Find(id);
  if (chunk == nullptr) return Status(Code::kNoChunk, "no such chunk");
  ChunkInfo info{id,
                 chunk->version(),
                 chunk->refcount(),
                 chunk->goal(),
                 registry.IsLocked(id, now),
                 Assess(*chunk, registry.servers()).valid,
                 {}};
  for (const Copy& c : chunk->copies().view()) {
    info.copies.push_back(
        {registry.LocationOf(c.server), c.version, ViewOf(c, registry.servers())});
  }
  return info;
}

CopyHistogram CountByCopies(const ChunkRegistry& registry, std::span<const ChunkId> chunks) {
  CopyHistogram h;
  for (ChunkId id : chunks) {
    const Chunk* chunk = id == 0 ? nullptr : registry.Find(id);
    const uint32_t valid = chunk ? Assess(*chunk, registry.servers()).valid : 0;
    ++h.by_copies[Slot(valid)];
  }
  return h;
}

ChunkMatrix BuildMatrix(const ChunkRegistry& registry) {
  ChunkMatrix m;
  registry.ForEachChunk([&](ChunkId, const Chunk& chunk) {
    const ChunkHealth h = Assess(chunk, registry.servers());
    const uint8_t goal = chunk.refcount() == 0 ? 0 : chunk.goal();
    ++m.all[goal][Slot(h.valid)];
    ++m.regular[goal][Slot(h.regular)];
    if (goal == 0) {
      ++m.pending_deletion;
      return;
    }
    if (h.valid == 0) ++m.missing;
    if (h.valid == 1 && goal > 1) ++m.endangered;
    if (h.valid < goal) ++m.undergoal;
    if (h.valid == goal) ++m.stable;
    if (h.valid > goal) ++m.overgoal;
  });
  return m;
}

}  // namespace elk::master
