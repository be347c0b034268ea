#pragma once
// Recently read 64 KiB blocks of exported volumes, in the target's memory: what the page
// cache gives a file served from a FUSE mount, for volumes read through libelkclient.
// The target is the only writer of an exported volume, so its own writes are all there is
// to keep it right. A write that reached the chunkservers is written through: the whole
// blocks it covers are kept (as the page cache keeps what was written to a file), cached
// blocks it covers in part are patched. A read that raced with a write never leaves old
// bytes behind: blocks are inserted only when no write to the volume happened since the
// read began (per-volume write epochs).

#include <cstdint>
#include <list>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "cinderdriver/volume/block_arena.h"

namespace elk::volume {

class BlockCache {
 public:
  static constexpr uint32_t kBlock = 64 * 1024;

  explicit BlockCache(uint64_t capacity_bytes)
      : capacity_(capacity_bytes / kBlock), arena_(capacity_) {}

  // Copies block `block` of `inode` into out (kBlock bytes) when cached.
  bool Get(uint32_t inode, uint64_t block, uint8_t* out) {
    return Get(inode, block, 0, kBlock, out);
  }
  // Only bytes [from, from + len) of the block.
  bool Get(uint32_t inode, uint64_t block, uint32_t from, uint32_t len, uint8_t* out);
  // The volume's write epoch, to pass to Put for blocks read from now on.
  uint64_t Epoch(uint32_t inode);
  // Keeps a block read while the epoch was `epoch` (dropped when a write came since).
  void Put(uint32_t inode, uint64_t block, std::span<const uint8_t> data, uint64_t epoch);
  // A write to blocks [first, last] of the volume reached the chunkservers (or may have
  // reached part of them): whatever is cached of them is dropped.
  void Invalidate(uint32_t inode, uint64_t first, uint64_t last);
  // `data` was written at volume byte `pos` and every copy has it. Callers keep the order
  // of writes to one block the same as on the chunkservers.
  void Written(uint32_t inode, uint64_t pos, std::span<const uint8_t> data);

  uint64_t hits() const;
  uint64_t misses() const;

 private:
  using Key = std::pair<uint32_t, uint64_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const { return (uint64_t{k.first} << 40) ^ k.second; }
  };
  struct Entry {
    uint8_t* data;  // kBlock bytes from arena_
    std::list<Key>::iterator lru;
  };

  void InsertLocked(const Key& key, std::span<const uint8_t> block);

  const uint64_t capacity_;  // in blocks
  BlockArena arena_;         // outlives blocks_, which points into it
  mutable std::mutex mu_;
  std::unordered_map<Key, Entry, KeyHash> blocks_;
  std::list<Key> lru_;  // most recent first
  std::unordered_map<uint32_t, uint64_t> epochs_;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace elk::volume
