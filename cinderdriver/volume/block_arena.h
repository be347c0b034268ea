#pragma once
// Memory for the read cache's 64 KiB blocks, carved from large regions the kernel may back
// with 2 MiB pages. A cache filled from a volume's first writes touches a gigabyte of
// fresh memory; in 4 KiB pages that is a quarter of a million page faults on the write
// path, in huge pages five hundred. Regions are mapped as blocks are first needed, up to
// the capacity, and kept: freed blocks are reused, never given back to the system.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace elk::volume {

class BlockArena {
 public:
  static constexpr size_t kBlock = 64 * 1024;

  explicit BlockArena(size_t capacity_blocks) : capacity_(capacity_blocks) {}
  ~BlockArena();
  BlockArena(const BlockArena&) = delete;
  BlockArena& operator=(const BlockArena&) = delete;

  // A free block, or null when all `capacity` are taken (or no memory could be mapped).
  uint8_t* Take();
  void Give(uint8_t* block) { free_.push_back(block); }

 private:
  struct Region {
    void* base;
    size_t bytes;
  };
  bool Grow();

  const size_t capacity_;
  size_t mapped_blocks_ = 0;
  std::vector<Region> regions_;
  std::vector<uint8_t*> free_;
};

}  // namespace elk::volume
