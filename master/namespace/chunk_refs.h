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
  // `goal` is the referencing file's goal: a chunk's goal is the highest of its references'.
  virtual void Ref(ChunkId chunk, uint8_t goal) = 0;
  // Returns the references left; 0 means the chunk may be deleted.
  virtual uint32_t Unref(ChunkId chunk, uint8_t goal) = 0;
  // A referencing file's goal changed from old_goal to new_goal (one reference).
  virtual void ChangeGoal(ChunkId chunk, uint8_t old_goal, uint8_t new_goal) = 0;
};

// A plain map, for tests and tools that have no chunk registry.
class MemoryChunkRefs final : public ChunkRefCounter {
 public:
  void Ref(ChunkId chunk, uint8_t /*goal*/) override { ++counts_[chunk]; }
  uint32_t Unref(ChunkId chunk, uint8_t goal) override;
  void ChangeGoal(ChunkId /*chunk*/, uint8_t /*old_goal*/, uint8_t /*new_goal*/) override {}
  uint32_t Count(ChunkId chunk) const;
  size_t size() const { return counts_.size(); }

 private:
  std::unordered_map<ChunkId, uint32_t> counts_;
};

}  // namespace elk::master
