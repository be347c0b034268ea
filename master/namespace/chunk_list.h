#pragma once
// A file's chunk ids by chunk index (0 is a hole). Its memory follows the chunks a file
// has, not its length: most files have one chunk, held inline (the list costs 16 bytes);
// a denser list is one heap array of ids; a list that would be mostly holes (one byte
// written at 2^56, say) is a sorted array of (index, id) pairs. The form changes on its
// own: dense -> sparse when growing an array would leave it under a quarter full, sparse
// -> dense once half the slots hold chunks, so neither form ever costs more than about
// twice the other.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "master/namespace/types.h"

namespace elk::master {

class ChunkList {
 public:
  struct Entry {
    uint32_t index;
    ChunkId id;
  };

  ChunkList() = default;
  ChunkList(const ChunkList&) = delete;
  ChunkList& operator=(const ChunkList&) = delete;
  ChunkList(ChunkList&& other) noexcept;
  ChunkList& operator=(ChunkList&& other) noexcept;
  ~ChunkList() { Release(); }

  // Slots: one past the highest index set (holes included), or what Resize left.
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The id at index i; 0 for a hole or past the end.
  ChunkId operator[](uint32_t i) const {
    if (i >= size_) return 0;
    return is_sparse() ? SparseAt(i) : dense()[i];
  }
  // Sets index i (0 makes a hole), growing the list to i + 1 slots when it is shorter.
  void Set(uint32_t i, ChunkId id);
  void Append(ChunkId id) { Set(size_, id); }
  // Grows with holes or shrinks to n slots.
  void Resize(uint32_t n);
  void Clear() { Release(); }
  // Makes holes of [first, end) and returns the ids that were there, in index order.
  std::vector<ChunkId> Punch(uint64_t first, uint64_t end);
  // fn(index, id) for every slot holding a chunk, in index order.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // fn(index, id) -> bool for the slots holding a chunk at index `from` or later, in index
  // order, until fn returns false. A sparse list finds `from` by binary search, so walking
  // a page of chunks costs the page, not the holes before it.
  template <typename Fn>
  void ForEachFrom(uint32_t from, Fn&& fn) const;
  // Slots holding a chunk (counted: linear in a dense list).
  uint32_t CountPresent() const;
  bool is_sparse() const { return cap_ == kSparse; }
  // Heap bytes the list holds (0 while inline).
  size_t HeapBytes() const;

 private:
  static constexpr uint32_t kSparse = UINT32_MAX;  // cap_ of a sparse list
  static constexpr uint32_t kAlwaysDense = 64;     // up to this many slots, never sparse
  using Entries = std::vector<Entry>;

  bool is_inline() const { return cap_ <= 1; }
  ChunkId* dense() { return is_inline() ? &one_ : many_; }
  const ChunkId* dense() const { return is_inline() ? &one_ : many_; }
  void Reserve(uint32_t n);
  void Allocate(uint32_t cap);
  void ToSparse();
  void ToDense();
  void MaybeDense();
  void SetSparse(uint32_t i, ChunkId id);
  ChunkId SparseAt(uint32_t i) const;
  void Release();
  void TakeFrom(ChunkList& other);

  uint32_t size_ = 0;
  uint32_t cap_ = 1;
  union {
    ChunkId one_ = 0;
    ChunkId* many_;
    Entries* sparse_;  // owned; a separate block keeps the list itself at 16 bytes
  };
};

static_assert(sizeof(ChunkList) == 16);

template <typename Fn>
void ChunkList::ForEach(Fn&& fn) const {
  if (is_sparse()) {
    for (const Entry& e : *sparse_)
      fn(e.index, e.id);
    return;
  }
  const ChunkId* d = dense();
  for (uint32_t i = 0; i < size_; ++i) {
    if (d[i] != 0) fn(i, d[i]);
  }
}

template <typename Fn>
void ChunkList::ForEachFrom(uint32_t from, Fn&& fn) const {
  if (is_sparse()) {
    auto it = std::lower_bound(sparse_->begin(), sparse_->end(), from,
                               [](const Entry& e, uint32_t i) { return e.index < i; });
    for (; it != sparse_->end(); ++it) {
      if (!fn(it->index, it->id)) return;
    }
    return;
  }
  const ChunkId* d = dense();
  for (uint32_t i = from; i < size_; ++i) {
    if (d[i] != 0 && !fn(i, d[i])) return;
  }
}

}  // namespace elk::master
