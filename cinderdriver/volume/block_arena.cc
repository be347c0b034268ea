#include "cinderdriver/volume/block_arena.h"

#include <sys/mman.h>

#include <algorithm>

namespace elk::volume {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kRegionBlocks = 512;  // 32 MiB
}  // namespace

BlockArena::~BlockArena() {
  for (const Region& r : regions_)
    munmap(r.base, r.bytes);
}

uint8_t* BlockArena::Take() {
  if (free_.empty() && !Grow()) return nullptr;
  uint8_t* block = free_.back();
  free_.pop_back();
  return block;
}

// Maps the next region, aligned to a huge page so the kernel can back all of it with
// them (the slack before and after the aligned part is unmapped again).
bool BlockArena::Grow() {
  const size_t blocks = std::min(kRegionBlocks, capacity_ - mapped_blocks_);
  if (blocks == 0) return false;
  const size_t bytes = blocks * kBlock;
  const size_t padded = bytes + kHugePage;
  void* raw = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return false;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) munmap(raw, aligned - start);
  if (const uintptr_t tail = start + padded - (aligned + bytes); tail > 0)
    munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  auto* base = reinterpret_cast<uint8_t*>(aligned);
  (void)madvise(base, bytes, MADV_HUGEPAGE);  // a hint: without it, 4 KiB pages do
  regions_.push_back({base, bytes});
  mapped_blocks_ += blocks;
  for (size_t i = blocks; i-- > 0;)
    free_.push_back(base + i * kBlock);
  return true;
}

}  // namespace elk::volume
