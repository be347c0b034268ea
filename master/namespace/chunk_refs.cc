#include "master/namespace/chunk_refs.h"

namespace elk::master {

uint32_t MemoryChunkRefs::Unref(ChunkId chunk, uint8_t /*goal*/) {
  auto it = counts_.find(chunk);
  if (it == counts_.end()) return 0;  // unknown: nothing to drop
  if (--it->second > 0) return it->second;
  counts_.erase(it);
  return 0;
}

uint32_t MemoryChunkRefs::Count(ChunkId chunk) const {
  auto it = counts_.find(chunk);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace elk::master
