#pragma once
// What a file must contain after a sequence of operations, kept in memory: the model the
// mount exerciser checks every read against. It knows POSIX's rules only (a hole and
// anything past a shrink read as zeros), nothing of chunks or copies.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace elk::mount_test {

class FileModel {
 public:
  uint64_t size() const { return bytes_.size(); }
  const uint8_t* data() const { return bytes_.data(); }

  void Write(uint64_t at, std::span<const uint8_t> data) {
    if (at + data.size() > bytes_.size()) bytes_.resize(at + data.size(), 0);
    std::memcpy(bytes_.data() + at, data.data(), data.size());
  }
  void Truncate(uint64_t length) {
    // resize keeps the kept bytes and zero-fills what grows, exactly POSIX's truncate.
    bytes_.resize(length, 0);
  }
  // fallocate(2) modes the mount supports: 0 (allocate, may grow), KEEP_SIZE,
  // PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE, ZERO_RANGE|KEEP_SIZE.
  void Allocate(uint64_t at, uint64_t length, bool zero, bool keep_size) {
    const uint64_t end = at + length;
    if (zero) {
      const uint64_t stop = std::min<uint64_t>(end, bytes_.size());
      if (at < stop) std::fill(bytes_.begin() + at, bytes_.begin() + stop, 0);
    }
    if (!keep_size && end > bytes_.size()) bytes_.resize(end, 0);
  }
  // The bytes [at, at+n) as a read sees them (short at the end of the file).
  std::span<const uint8_t> Read(uint64_t at, uint64_t n) const {
    if (at >= bytes_.size()) return {};
    return {bytes_.data() + at, std::min<uint64_t>(n, bytes_.size() - at)};
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace elk::mount_test
