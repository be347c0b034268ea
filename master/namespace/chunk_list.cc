#include "master/namespace/chunk_list.h"

#include <algorithm>
#include <utility>

namespace elk::master {

namespace {
std::allocator<ChunkId> alloc;

bool IndexBelow(const ChunkList::Entry& e, uint64_t index) {
  return e.index < index;
}
}  // namespace

void ChunkList::TakeFrom(ChunkList& other) {
  size_ = other.size_;
  cap_ = other.cap_;
  if (is_inline()) {
    one_ = other.one_;
  } else if (is_sparse()) {
    sparse_ = other.sparse_;
  } else {
    many_ = other.many_;
  }
  other.size_ = 0;
  other.cap_ = 1;
  other.one_ = 0;
}

ChunkList::ChunkList(ChunkList&& other) noexcept {
  TakeFrom(other);
}

ChunkList& ChunkList::operator=(ChunkList&& other) noexcept {
  if (this != &other) {
    Release();
    TakeFrom(other);
  }
  return *this;
}

void ChunkList::Release() {
  if (is_sparse()) {
    std::unique_ptr<Entries> owned(sparse_);  // frees it
  } else if (!is_inline()) {
    alloc.deallocate(many_, cap_);
  }
  size_ = 0;
  cap_ = 1;
  one_ = 0;
}

ChunkId ChunkList::SparseAt(uint32_t i) const {
  auto it = std::lower_bound(sparse_->begin(), sparse_->end(), uint64_t{i}, IndexBelow);
  return it != sparse_->end() && it->index == i ? it->id : 0;
}

uint32_t ChunkList::CountPresent() const {
  if (is_sparse()) return static_cast<uint32_t>(sparse_->size());
  return static_cast<uint32_t>(
      std::count_if(dense(), dense() + size_, [](ChunkId c) { return c != 0; }));
}

size_t ChunkList::HeapBytes() const {
  if (is_sparse()) return sizeof(Entries) + sparse_->capacity() * sizeof(Entry);
  return is_inline() ? 0 : size_t{cap_} * sizeof(ChunkId);
}

// Room for n dense slots; a growth that would leave the array under a quarter full turns
// the list sparse instead (the count costs no more than the copy growing would).
void ChunkList::Reserve(uint32_t n) {
  if (n <= cap_) return;
  if (n > kAlwaysDense && uint64_t{n} > 4 * (uint64_t{CountPresent()} + 1)) {
    ToSparse();
    return;
  }
  Allocate(static_cast<uint32_t>(
      std::min<uint64_t>(std::max<uint64_t>(n, uint64_t{cap_} * 2), kSparse - 1)));
}

// A dense array of cap slots holding the first size_ ids, the rest holes.
void ChunkList::Allocate(uint32_t cap) {
  ChunkId* block = alloc.allocate(cap);
  std::copy_n(dense(), size_, block);
  std::fill(block + size_, block + cap, ChunkId{0});
  if (!is_inline()) alloc.deallocate(many_, cap_);
  many_ = block;
  cap_ = cap;
}

void ChunkList::ToSparse() {
  auto entries = std::make_unique<Entries>();
  ForEach([&entries](uint32_t i, ChunkId id) { entries->push_back({i, id}); });
  uint32_t size = size_;
  Release();
  sparse_ = entries.release();
  cap_ = kSparse;
  size_ = size;
}

void ChunkList::ToDense() {
  std::unique_ptr<Entries> entries(sparse_);
  uint32_t size = size_;
  cap_ = 1;
  size_ = 0;
  one_ = 0;
  if (size > 1) Allocate(size);
  size_ = size;
  for (const Entry& e : *entries)
    dense()[e.index] = e.id;
}

// A sparse list half full (or small) is smaller and faster as an array.
void ChunkList::MaybeDense() {
  if (is_sparse() && (size_ <= kAlwaysDense || uint64_t{sparse_->size()} * 2 >= size_)) ToDense();
}

void ChunkList::SetSparse(uint32_t i, ChunkId id) {
  auto it = std::lower_bound(sparse_->begin(), sparse_->end(), uint64_t{i}, IndexBelow);
  bool here = it != sparse_->end() && it->index == i;
  if (id == 0) {
    if (here) sparse_->erase(it);
    return;
  }
  if (here) {
    it->id = id;
    return;
  }
  sparse_->insert(it, Entry{i, id});
  MaybeDense();
}

void ChunkList::Set(uint32_t i, ChunkId id) {
  if (i >= size_) {
    Resize(i + 1);  // may turn the list sparse
    if (id == 0) return;
  }
  if (is_sparse()) return SetSparse(i, id);
  dense()[i] = id;
}

void ChunkList::Resize(uint32_t n) {
  if (n == 0) return Release();
  if (n > size_) {
    if (!is_sparse()) {
      Reserve(n);
      if (!is_sparse()) std::fill(dense() + size_, dense() + n, ChunkId{0});
    }
    size_ = n;
    return;
  }
  if (is_sparse()) {
    auto cut = std::lower_bound(sparse_->begin(), sparse_->end(), uint64_t{n}, IndexBelow);
    sparse_->erase(cut, sparse_->end());
    size_ = n;
    MaybeDense();
    return;
  }
  size_ = n;
}

std::vector<ChunkId> ChunkList::Punch(uint64_t first, uint64_t end) {
  std::vector<ChunkId> gone;
  end = std::min<uint64_t>(end, size_);
  if (first >= end) return gone;
  if (is_sparse()) {
    auto from = std::lower_bound(sparse_->begin(), sparse_->end(), first, IndexBelow);
    auto to = std::lower_bound(from, sparse_->end(), end, IndexBelow);
    for (auto it = from; it != to; ++it)
      gone.push_back(it->id);
    sparse_->erase(from, to);
    return gone;
  }
  ChunkId* d = dense();
  for (uint64_t i = first; i < end; ++i) {
    if (d[i] != 0) gone.push_back(std::exchange(d[i], 0));
  }
  return gone;
}

}  // namespace elk::master
