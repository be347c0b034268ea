#pragma once
// One lock owner's locks on one file: byte ranges, each shared or exclusive, kept as POSIX
// keeps them - disjoint, sorted, touching ranges of one type merged, a lock over part of a
// range splitting it. The master's lock table holds one per (file, owner); a mount keeps
// the same for the locks it holds, to give them back after a master restart
// (docs/locks.md). Ranges are inclusive: [start, end].
//
//   RangeSet s;
//   s.Apply(0, 99, LockType::kExclusive);
//   s.Apply(10, 19, LockType::kUnlock);   // [0,9] [20,99]
//   s.Apply(20, 99, LockType::kShared);   // [0,9] exclusive, [20,99] shared

#include <cstdint>
#include <vector>

#include "common/protocol/records.h"

namespace elk::locks {

using protocol::LockType;

// The end of a lock "to the end of the file", as the kernel gives it (OFFSET_MAX).
inline constexpr uint64_t kLockEnd = INT64_MAX;

struct LockRange {
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive
  LockType type = LockType::kShared;
  bool operator==(const LockRange&) const = default;
};

inline bool Overlap(uint64_t a_start, uint64_t a_end, uint64_t b_start, uint64_t b_end) {
  return a_start <= b_end && b_start <= a_end;
}

// Two locks of different owners over a common byte conflict unless both are shared.
inline bool Conflicts(LockType a, LockType b) {
  return a == LockType::kExclusive || b == LockType::kExclusive;
}

class RangeSet {
 public:
  // Sets [start, end] to `type` (kUnlock: frees it), splitting and merging as needed.
  void Apply(uint64_t start, uint64_t end, LockType type);
  // Is every byte of [start, end] held with exactly `type`?
  bool Covers(uint64_t start, uint64_t end, LockType type) const;
  // The first range overlapping [start, end] that conflicts with `type`, or null.
  const LockRange* FirstConflict(uint64_t start, uint64_t end, LockType type) const;
  const std::vector<LockRange>& ranges() const { return ranges_; }
  bool empty() const { return ranges_.empty(); }

 private:
  void Cut(uint64_t start, uint64_t end);
  void Merge(size_t at);

  std::vector<LockRange> ranges_;  // sorted by start, disjoint
};

}  // namespace elk::locks
