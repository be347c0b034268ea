#pragma once
// A heap buffer aligned for O_DIRECT (kIoAlign), freed when it goes.

#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "chunkserver/storage/chunk_format.h"

namespace elk::chunkstore {

class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t size)
      : size_(size), data_(static_cast<uint8_t*>(std::aligned_alloc(kIoAlign, RoundUp(size)))) {
    std::memset(data_.get(), 0, size_);
  }

  // A buffer holding a copy of `bytes` (not zeroed first: every byte is overwritten).
  static AlignedBuffer CopyOf(std::span<const uint8_t> bytes) {
    AlignedBuffer b(bytes.size(), Uninitialised{});
    if (!bytes.empty()) std::memcpy(b.data(), bytes.data(), bytes.size());
    return b;
  }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::span<uint8_t> span() { return {data_.get(), size_}; }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }

 private:
  struct Uninitialised {};
  AlignedBuffer(size_t size, Uninitialised)
      : size_(size), data_(static_cast<uint8_t*>(std::aligned_alloc(kIoAlign, RoundUp(size)))) {}

  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  static size_t RoundUp(size_t n) { return (n + kIoAlign - 1) / kIoAlign * kIoAlign; }

  size_t size_;
  std::unique_ptr<uint8_t, Free> data_;
};

}  // namespace elk::chunkstore
