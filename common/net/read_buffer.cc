#include "common/net/read_buffer.h"

#include <algorithm>
#include <cstring>

namespace elk::net {

std::span<uint8_t> ReadBuffer::PrepareWrite(size_t n) {
  if (capacity_ - end_ >= n) return {data_.get() + end_, capacity_ - end_};
  const size_t live = end_ - begin_;
  if (capacity_ - live >= n && begin_ >= live) {
    // Enough room once the consumed head is reclaimed, and the move is no bigger than
    // what was consumed since the last one: amortised O(1) per byte.
    std::memmove(data_.get(), data_.get() + begin_, live);
  } else {
    size_t new_capacity = std::max({capacity_ * 2, live + n, size_t{4096}});
    auto bigger = std::make_unique_for_overwrite<uint8_t[]>(new_capacity);
    if (live > 0) std::memcpy(bigger.get(), data_.get() + begin_, live);
    data_ = std::move(bigger);
    capacity_ = new_capacity;
  }
  begin_ = 0;
  end_ = live;
  return {data_.get() + end_, capacity_ - end_};
}

void ReadBuffer::Consume(size_t n) {
  begin_ += std::min(n, end_ - begin_);
  if (begin_ == end_) begin_ = end_ = 0;  // empty: start over at the front for free
}

void ReadBuffer::ShrinkIfIdle(size_t keep_capacity) {
  if (begin_ != end_ || capacity_ <= keep_capacity) return;
  data_.reset();
  capacity_ = 0;
  begin_ = end_ = 0;
}

}  // namespace elk::net
