#include "cinderdriver/volume/block_cache.h"

#include <cstring>

namespace elk::volume {

bool BlockCache::Get(uint32_t inode, uint64_t block, uint32_t from, uint32_t len, uint8_t* out) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find({inode, block});
  if (it == blocks_.end()) {
    ++misses_;
    return false;
  }
  ++hits_;
  std::memcpy(out, it->second.data.data() + from, len);
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return true;
}

uint64_t BlockCache::Epoch(uint32_t inode) {
  std::lock_guard lock(mu_);
  return epochs_[inode];
}

void BlockCache::Put(uint32_t inode, uint64_t block, std::span<const uint8_t> data,
                     uint64_t epoch) {
  if (capacity_ == 0 || data.size() != kBlock) return;
  std::lock_guard lock(mu_);
  if (epochs_[inode] != epoch || blocks_.count({inode, block}) > 0) return;
  while (blocks_.size() >= capacity_ && !lru_.empty()) {
    blocks_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front({inode, block});
  blocks_.emplace(Key{inode, block}, Entry{{data.begin(), data.end()}, lru_.begin()});
}

void BlockCache::Invalidate(uint32_t inode, uint64_t first, uint64_t last) {
  std::lock_guard lock(mu_);
  ++epochs_[inode];
  for (uint64_t b = first; b <= last; ++b) {
    auto it = blocks_.find({inode, b});
    if (it == blocks_.end()) continue;
    lru_.erase(it->second.lru);
    blocks_.erase(it);
  }
}

uint64_t BlockCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

uint64_t BlockCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace elk::volume
