#pragma once
// The namespace's only link to the chunk registry: reference counts. Snapshots and
// append-chunks add references; truncate, SetChunk and freeing a file drop them.

#include <cstdint>
#include <unordered_map>

#include "master/namespace/types.h"

namespace elk::master {

class ChunkRefCounter {
 public:
  virtual ~ChunkRefCounter() = default;
  virtual void Ref(ChunkId chunk) = 0;
  // Returns the references left; 0 means the chunk may be deleted.
  virtual uint32_t Unref(ChunkId chunk) = 0;
};

// A plain map, for tests and tools that have no chunk registry.
class MemoryChunkRefs final : public ChunkRefCounter {
 public:
  void Ref(ChunkId chunk) override { ++counts_[chunk]; }
  uint32_t Unref(ChunkId chunk) override;
  uint32_t Count(ChunkId chunk) const;
  size_t size() const { return counts_.size(); }

 private:
  std::unordered_map<ChunkId, uint32_t> counts_;
};

}  // namespace elk::master
