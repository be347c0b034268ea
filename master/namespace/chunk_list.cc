#include "master/namespace/chunk_list.h"

#include <algorithm>
#include <utility>

namespace elk::master {

namespace {
std::allocator<ChunkId> alloc;
}  // namespace

ChunkList::ChunkList(ChunkList&& other) noexcept : size_(other.size_), cap_(other.cap_) {
  if (is_inline()) {
    one_ = other.one_;
  } else {
    many_ = other.many_;
  }
  other.size_ = 0;
  other.cap_ = 1;
  other.one_ = 0;
}

ChunkList& ChunkList::operator=(ChunkList&& other) noexcept {
  if (this != &other) {
    Release();
    size_ = other.size_;
    cap_ = other.cap_;
    if (is_inline()) {
      one_ = other.one_;
    } else {
      many_ = other.many_;
    }
    other.size_ = 0;
    other.cap_ = 1;
    other.one_ = 0;
  }
  return *this;
}

void ChunkList::Release() {
  if (!is_inline()) alloc.deallocate(many_, cap_);
  size_ = 0;
  cap_ = 1;
  one_ = 0;
}

void ChunkList::Reserve(uint32_t n) {
  if (n <= cap_) return;
  uint32_t cap = std::max(n, cap_ * 2);
  ChunkId* block = alloc.allocate(cap);
  std::copy_n(data(), size_, block);
  std::fill(block + size_, block + cap, ChunkId{0});
  if (!is_inline()) alloc.deallocate(many_, cap_);
  many_ = block;
  cap_ = cap;
}

void ChunkList::Resize(uint32_t n) {
  if (n == 0) {
    Release();
    return;
  }
  if (n > size_) {
    Reserve(n);
    std::fill(data() + size_, data() + n, ChunkId{0});
  }
  size_ = n;
}

void ChunkList::Append(ChunkId id) {
  Resize(size_ + 1);
  data()[size_ - 1] = id;
}

}  // namespace elk::master
