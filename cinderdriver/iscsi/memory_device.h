#pragma once
// A BlockDevice in memory: for tests of the target alone, and for `mfsiscsid -M` style
// protocol checks against initiators without a cluster.

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

#include "cinderdriver/iscsi/block_device.h"

namespace elk::iscsi {

class MemoryDevice : public BlockDevice {
 public:
  explicit MemoryDevice(uint64_t size) : bytes_(size, 0) {}
  uint64_t size_bytes() const override {
    std::lock_guard lock(mu_);
    return bytes_.size();
  }
  Status Read(uint64_t offset, std::span<uint8_t> out) override {
    std::lock_guard lock(mu_);
    if (offset + out.size() > bytes_.size()) return Status(Code::kRange, "beyond the end");
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::Ok();
  }
  Status Write(uint64_t offset, std::span<const uint8_t> data) override {
    std::lock_guard lock(mu_);
    if (offset + data.size() > bytes_.size()) return Status(Code::kRange, "beyond the end");
    std::memcpy(bytes_.data() + offset, data.data(), data.size());
    for (uint64_t g = offset / kGranule; g * kGranule < offset + data.size(); ++g)
      unmapped_.erase(g);
    ++writes_;
    return Status::Ok();
  }
  Status Flush() override {
    std::lock_guard lock(mu_);
    ++flushes_;
    return Status::Ok();
  }
  Status Unmap(uint64_t offset, uint64_t length) override {
    std::lock_guard lock(mu_);
    if (offset + length > bytes_.size()) return Status(Code::kRange, "beyond the end");
    std::memset(bytes_.data() + offset, 0, length);
    for (uint64_t g = (offset + kGranule - 1) / kGranule; (g + 1) * kGranule <= offset + length;
         ++g)
      unmapped_.insert(g);
    ++unmaps_;
    return Status::Ok();
  }
  bool can_unmap() const override { return true; }
  // Allocation is kept per 64 KiB: written stretches are mapped, wholly unmapped ones not.
  Result<Allocation> AllocationAt(uint64_t offset) override {
    std::lock_guard lock(mu_);
    const uint64_t g = offset / kGranule;
    return Allocation{.mapped = Mapped(g),
                      .end = std::min<uint64_t>((g + 1) * kGranule, bytes_.size())};
  }

  void Resize(uint64_t size) {
    std::lock_guard lock(mu_);
    bytes_.resize(size, 0);
  }
  uint64_t flushes() const {
    std::lock_guard lock(mu_);
    return flushes_;
  }
  uint64_t unmaps() const {
    std::lock_guard lock(mu_);
    return unmaps_;
  }

 private:
  static constexpr uint64_t kGranule = 64 * 1024;
  bool Mapped(uint64_t granule) const { return !unmapped_.contains(granule); }

  mutable std::mutex mu_;
  std::vector<uint8_t> bytes_;
  std::set<uint64_t> unmapped_;  // 64 KiB granules unmapped since last written
  uint64_t writes_ = 0, flushes_ = 0, unmaps_ = 0;
};

}  // namespace elk::iscsi
