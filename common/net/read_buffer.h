#pragma once
// The receive side of a connection: one contiguous buffer with a read and a write offset.
// Consumed bytes are reclaimed by moving the (short) unread tail to the front only when
// the free space at the end is too small, and the buffer grows geometrically, so every
// byte is copied O(1) times on average however frames fall across reads. A frame is
// always contiguous, which lets the handler see it as one span.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace elk::net {

class ReadBuffer {
 public:
  // Returns room for at least `n` more bytes at the end; write there, then Commit().
  std::span<uint8_t> PrepareWrite(size_t n);
  void Commit(size_t n) { end_ += n; }
  std::span<const uint8_t> readable() const { return {data_.get() + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  void Consume(size_t n);
  // After a big frame, give the memory back once nothing is pending.
  void ShrinkIfIdle(size_t keep_capacity);
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace elk::net
