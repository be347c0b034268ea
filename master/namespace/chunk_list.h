#pragma once
// A file's chunk ids, one per 64 MiB. Most files have one chunk, so one id is held
// inline and the list costs 16 bytes; longer lists live in one heap block.

#include <cstdint>
#include <memory>
#include <span>

#include "master/namespace/types.h"

namespace elk::master {

class ChunkList {
 public:
  ChunkList() = default;
  ChunkList(const ChunkList&) = delete;
  ChunkList& operator=(const ChunkList&) = delete;
  ChunkList(ChunkList&& other) noexcept;
  ChunkList& operator=(ChunkList&& other) noexcept;
  ~ChunkList() { Release(); }

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ChunkId operator[](uint32_t i) const { return data()[i]; }
  ChunkId& operator[](uint32_t i) { return data()[i]; }
  std::span<const ChunkId> view() const { return {data(), size_}; }

  // Grows with holes (0) or shrinks to n ids.
  void Resize(uint32_t n);
  void Append(ChunkId id);
  void Clear() { Release(); }

 private:
  bool is_inline() const { return cap_ <= 1; }
  ChunkId* data() { return is_inline() ? &one_ : many_; }
  const ChunkId* data() const { return is_inline() ? &one_ : many_; }
  void Reserve(uint32_t n);
  void Release();

  uint32_t size_ = 0;
  uint32_t cap_ = 1;
  union {
    ChunkId one_ = 0;
    ChunkId* many_;
  };
};

static_assert(sizeof(ChunkList) == 16);

}  // namespace elk::master
