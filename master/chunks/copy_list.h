#pragma once
// The copies of one chunk: up to three inline (goals 1-3 cost no heap block), all of them
// in one heap vector when there are more. Order is kept: it is the write chain's order.
// 32 bytes: the inline slots in use are packed at the front and a free slot holds server
// kNoServer, so no size field (and no padding after it) is needed.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "master/chunks/types.h"

namespace elk::master {

class CopyList {
 public:
  CopyList() = default;
  CopyList(const CopyList&) = delete;
  CopyList& operator=(const CopyList&) = delete;
  CopyList(CopyList&& other) noexcept { *this = std::move(other); }
  CopyList& operator=(CopyList&& other) noexcept;

  uint32_t size() const;
  bool empty() const { return size() == 0; }
  std::span<Copy> view() { return {data(), size()}; }
  std::span<const Copy> view() const { return {data(), size()}; }
  Copy& operator[](uint32_t i) { return data()[i]; }
  const Copy& operator[](uint32_t i) const { return data()[i]; }

  // The copy on `server`, or nullptr.
  Copy* Find(ServerId server);
  const Copy* Find(ServerId server) const;
  // Appends; a copy on kNoServer is ignored (it cannot exist).
  void Add(const Copy& copy);
  // Removes the copy on `server`; false when there was none.
  bool Remove(ServerId server);
  void Clear();

 private:
  static constexpr uint32_t kInline = 3;
  Copy* data() { return spilled_ ? spilled_->data() : inline_.data(); }
  const Copy* data() const { return spilled_ ? spilled_->data() : inline_.data(); }

  std::array<Copy, kInline> inline_{};
  std::unique_ptr<std::vector<Copy>> spilled_;  // every copy, when more than kInline
};

}  // namespace elk::master
