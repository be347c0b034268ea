// The chunk registry's part of the metadata image (section CHNK): next_chunk_id, then each
// referenced chunk with its version and its references counted per goal. Copies are not
// saved: chunkservers report them again after a restart.
//
//   next_chunk_id count (id version ngoals (goal refs)*)*     all varints, ids ascending

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "master/meta/state.h"
#include "master/namespace/byte_codec.h"

namespace elk::master::meta_internal {

namespace {

std::vector<ChunkId> SortedReferenced(const ChunkRegistry& registry) {
  std::vector<ChunkId> ids;
  ids.reserve(registry.chunk_count());
  registry.ForEachChunk([&](ChunkId id, const Chunk& c) {
    if (c.refcount() > 0) ids.push_back(id);
  });
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status Bad(std::string_view what) {
  return Status(Code::kCorruption, fmt::format("chunk section: {}", what));
}

}  // namespace

std::string SerializeChunks(const ChunkRegistry& registry) {
  ByteWriter w;
  w.Var(registry.next_chunk_id());
  const std::vector<ChunkId> ids = SortedReferenced(registry);
  w.Var(ids.size());
  for (ChunkId id : ids) {
    const Chunk& c = *registry.Find(id);
    w.Var(id);
    w.Var(c.version());
    uint8_t goals = 0;
    for (uint8_t g = 1; g <= kMaxChunkGoal; ++g)
      goals += c.RefsOfGoal(g) > 0 ? 1 : 0;
    w.Var(goals);
    for (uint8_t g = 1; g <= kMaxChunkGoal; ++g) {
      if (c.RefsOfGoal(g) == 0) continue;
      w.Var(g);
      w.Var(c.RefsOfGoal(g));
    }
  }
  return w.Take();
}

namespace {

Status LoadOne(ByteReader& r, ChunkId prev, ChunkRegistry* registry, ChunkId* id) {
  uint32_t version = 0;
  uint8_t goals = 0;
  if (!r.Num(id) || !r.Num(&version) || !r.Num(&goals, kMaxChunkGoal) || goals == 0) {
    return Bad("truncated chunk");
  }
  if (*id <= prev) return Bad(fmt::format("chunk {:016X} out of order", *id));
  bool created = false;
  for (uint8_t i = 0; i < goals; ++i) {
    uint8_t goal = 0;
    uint32_t refs = 0;
    if (!r.Num(&goal, kMaxChunkGoal) || goal == 0 || !r.Num(&refs) || refs == 0) {
      return Bad(fmt::format("bad references of chunk {:016X}", *id));
    }
    if (refs > (1u << 24)) return Bad(fmt::format("chunk {:016X}: {} references", *id, refs));
    for (uint32_t k = 0; k < refs; ++k) {
      ELK_RETURN_IF_ERROR(created ? registry->AddRef(*id, goal) : registry->ApplyCreate(*id, goal));
      created = true;
    }
  }
  return registry->ApplySetVersion(*id, version);
}

}  // namespace

Status LoadChunks(std::string_view data, ChunkRegistry* registry) {
  ByteReader r(data);
  ChunkId next = 0;
  uint64_t count = 0;
  if (!r.Num(&next) || !r.Count(&count, 4)) return Bad("truncated header");
  ChunkId prev = 0;
  for (uint64_t i = 0; i < count; ++i) {
    ChunkId id = 0;
    ELK_RETURN_IF_ERROR(LoadOne(r, prev, registry, &id));
    prev = id;
  }
  if (!r.AtEnd()) return Bad("bytes after the end");
  if (next <= prev) return Bad("next chunk id is not past every chunk");
  registry->set_next_chunk_id(next);
  return Status::Ok();
}

std::string DumpChunks(const ChunkRegistry& registry) {
  std::string out = fmt::format("next_chunk_id {}\n", registry.next_chunk_id());
  for (ChunkId id : SortedReferenced(registry)) {
    const Chunk& c = *registry.Find(id);
    out += fmt::format("K {:016X} v={} goal={} refs={}", id, c.version(), c.goal(), c.refcount());
    for (uint8_t g = 1; g <= kMaxChunkGoal; ++g) {
      if (c.RefsOfGoal(g) > 0) out += fmt::format(" g{}={}", g, c.RefsOfGoal(g));
    }
    out += '\n';
  }
  return out;
}

}  // namespace elk::master::meta_internal
