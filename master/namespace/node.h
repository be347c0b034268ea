#pragma once
// One node's fixed fields (72 bytes) and the paged table that holds them by inode.
// What only some nodes have - a directory's entries, a symlink's target, a device's
// rdev, extended attributes - lives in side tables keyed by inode, so a plain file pays
// for none of it.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "common/file_time.h"
#include "master/namespace/chunk_list.h"
#include "master/namespace/types.h"

namespace elk::master {

enum NodeFlag : uint8_t {
  kFlagHasXattr = 1,
  kFlagTrash = 2,     // unlinked, kept until its trash time ends
  kFlagReserved = 4,  // unlinked while open, kept until its last close
};

struct Node {
  uint64_t length = 0;
  ChunkList chunks;  // files only
  // Nanoseconds since the epoch (common/file_time.h): a client may set them to any time.
  FileTime atime = 0;
  FileTime mtime = 0;
  InodeId parent = 0;  // directories only (the root is its own parent)
  uint32_t uid = 0;
  uint32_t gid = 0;
  // Seconds: only ever the master's clock (`now`, u32 seconds), never a client's value.
  uint32_t ctime = 0;
  uint32_t trashtime = 0;
  uint32_t nlink = 0;
  uint16_t mode = 0;
  NodeType type = NodeType::kNone;
  uint8_t goal = 0;
  uint8_t flags = 0;

  bool is_dir() const { return type == NodeType::kDirectory; }
  bool is_file() const { return type == NodeType::kFile; }
  bool detached() const { return (flags & (kFlagTrash | kFlagReserved)) != 0; }
};

static_assert(sizeof(Node) <= 72, "a node must stay compact");

// Nodes in pages of 4096, indexed by inode: no per-node hash overhead, and a Node&
// stays valid while other nodes are added. A page exists only once a node was placed in
// it, and free numbers are kept as ranges, so the table costs memory for the nodes there
// are (and the pages they touch), not for the highest number: an image naming inode
// 2^31 - 1 with a root beside it costs one page more, not a dense table. Inode numbers
// are handed out lowest-free first. A freed number cools for kReuseDelay seconds first: a
// mount (or the kernel behind it) that still knows the old file by its number must not
// reach a new file through it. The rule depends only on which inodes are in use and the
// times of the calls, which replay passes from the changelog, and the cooling numbers are
// in the image, so replay and a reload allocate the same numbers.
class NodeTable {
 public:
  static constexpr uint32_t kPageBits = 12;
  static constexpr uint32_t kPageSize = 1u << kPageBits;

  Node* Get(InodeId id) {
    if (id == 0 || id >= high_water_ || (id >> kPageBits) >= pages_.size()) return nullptr;
    Node* page = pages_[id >> kPageBits].get();
    if (page == nullptr) return nullptr;
    Node& n = page[id & (kPageSize - 1)];
    return n.type == NodeType::kNone ? nullptr : &n;
  }
  const Node* Get(InodeId id) const { return const_cast<NodeTable*>(this)->Get(id); }
  // For an inode known to be in use (found in a directory, or checked before).
  Node& At(InodeId id) { return pages_[id >> kPageBits][id & (kPageSize - 1)]; }
  const Node& At(InodeId id) const { return pages_[id >> kPageBits][id & (kPageSize - 1)]; }

  static constexpr uint32_t kReuseDelay = 86400;

  // A fresh zeroed node (reach it with At); the caller sets its type before anything
  // else looks it up.
  InodeId Allocate(uint32_t now);
  void Free(InodeId id, uint32_t now);
  // Freed numbers not yet reusable, oldest first: (inode, freed at).
  const std::deque<std::pair<InodeId, uint32_t>>& cooling() const { return cooling_; }
  // Loading an image, after every node was placed: these numbers cool again. False when
  // one is in use or listed twice.
  bool RestoreCooling(std::vector<std::pair<InodeId, uint32_t>> cooling);
  // Loading an image: a zeroed node at `id`, which must exceed every id placed before;
  // the ids skipped become free. nullptr when id is out of order.
  Node* Place(InodeId id);

  InodeId high_water() const { return high_water_; }
  size_t used() const { return used_; }
  // Pages allocated and free ranges kept: what the table costs besides its nodes (tests).
  size_t pages_allocated() const { return pages_allocated_; }
  size_t free_ranges() const { return free_.size(); }

  template <typename Fn>
  void ForEach(Fn&& fn) const {  // fn(InodeId, const Node&) in inode order
    for (size_t p = 0; p < pages_.size(); ++p) {
      const Node* page = pages_[p].get();
      if (page == nullptr) continue;
      for (uint32_t i = 0; i < kPageSize; ++i) {
        const InodeId id = static_cast<InodeId>((p << kPageBits) | i);
        if (id >= high_water_) return;
        if (page[i].type != NodeType::kNone) fn(id, page[i]);
      }
    }
  }

 private:
  void AddPageFor(InodeId id);  // the page that holds id, if it is not there yet
  // Numbers from high_water() up to `end` (exclusive) become free ones of the table.
  void FreeBelow(InodeId end);
  void AddFree(InodeId first, InodeId end);  // [first, end) become free, merged with neighbours
  bool TakeFree(InodeId id);                 // id is free no more; false if it was not free

  std::vector<std::unique_ptr<Node[]>> pages_;  // null: no node was ever placed there
  size_t pages_allocated_ = 0;
  std::map<InodeId, InodeId> free_;  // free ranges [first, end) below high_water_, by first
  std::deque<std::pair<InodeId, uint32_t>> cooling_;
  InodeId high_water_ = 1;  // inode 0 is never used
  size_t used_ = 0;
};

}  // namespace elk::master
