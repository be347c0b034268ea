#include "cinderdriver/volume/block_cache.h"

#include <algorithm>
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
  std::memcpy(out, it->second.data + from, len);
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
  InsertLocked({inode, block}, data);
}

// Takes fresh memory while below capacity, else the least recently used block's.
void BlockCache::InsertLocked(const Key& key, std::span<const uint8_t> block) {
  uint8_t* mem = blocks_.size() < capacity_ ? arena_.Take() : nullptr;
  if (mem == nullptr) {
    if (lru_.empty()) return;
    auto victim = blocks_.find(lru_.back());
    mem = victim->second.data;
    blocks_.erase(victim);
    lru_.pop_back();
  }
  std::memcpy(mem, block.data(), kBlock);
  lru_.push_front(key);
  blocks_.emplace(key, Entry{mem, lru_.begin()});
}

void BlockCache::Written(uint32_t inode, uint64_t pos, std::span<const uint8_t> data) {
  std::lock_guard lock(mu_);
  ++epochs_[inode];  // reads in flight may have fetched the bytes from before
  for (uint64_t done = 0; done < data.size();) {
    const uint64_t block = (pos + done) / kBlock;
    const auto from = static_cast<uint32_t>((pos + done) % kBlock);
    const auto len = static_cast<uint32_t>(std::min<uint64_t>(kBlock - from, data.size() - done));
    const auto part = data.subspan(done, len);
    done += len;
    auto it = blocks_.find({inode, block});
    if (it != blocks_.end()) {
      std::memcpy(it->second.data + from, part.data(), len);
      lru_.splice(lru_.begin(), lru_, it->second.lru);
    } else if (len == kBlock && capacity_ > 0) {
      InsertLocked({inode, block}, part);
    }
  }
}

void BlockCache::Invalidate(uint32_t inode, uint64_t first, uint64_t last) {
  std::lock_guard lock(mu_);
  ++epochs_[inode];
  for (uint64_t b = first; b <= last; ++b) {
    auto it = blocks_.find({inode, b});
    if (it == blocks_.end()) continue;
    arena_.Give(it->second.data);
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
