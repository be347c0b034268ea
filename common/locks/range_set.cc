#include "common/locks/range_set.h"

#include <algorithm>

namespace elk::locks {

// Removes [start, end] from every range, keeping the parts outside it.
void RangeSet::Cut(uint64_t start, uint64_t end) {
  std::vector<LockRange> out;
  out.reserve(ranges_.size() + 1);
  for (const LockRange& r : ranges_) {
    if (!Overlap(r.start, r.end, start, end)) {
      out.push_back(r);
      continue;
    }
    if (r.start < start) out.push_back({r.start, start - 1, r.type});
    if (r.end > end) out.push_back({end + 1, r.end, r.type});
  }
  ranges_ = std::move(out);
}

// Joins the range at `at` with neighbours of its type that touch it.
void RangeSet::Merge(size_t at) {
  if (at + 1 < ranges_.size()) {
    LockRange& next = ranges_[at + 1];
    if (next.type == ranges_[at].type && ranges_[at].end + 1 == next.start) {
      ranges_[at].end = next.end;
      ranges_.erase(ranges_.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    }
  }
  if (at > 0) {
    LockRange& prev = ranges_[at - 1];
    if (prev.type == ranges_[at].type && prev.end + 1 == ranges_[at].start) {
      prev.end = ranges_[at].end;
      ranges_.erase(ranges_.begin() + static_cast<std::ptrdiff_t>(at));
    }
  }
}

void RangeSet::Apply(uint64_t start, uint64_t end, LockType type) {
  if (start > end) return;
  Cut(start, end);
  if (type == LockType::kUnlock) return;
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), start,
                             [](const LockRange& r, uint64_t s) { return r.start < s; });
  const size_t at = static_cast<size_t>(it - ranges_.begin());
  ranges_.insert(it, LockRange{start, end, type});
  Merge(at);
}

bool RangeSet::Covers(uint64_t start, uint64_t end, LockType type) const {
  uint64_t next = start;  // the first byte not yet seen covered
  for (const LockRange& r : ranges_) {
    if (r.end < next) continue;
    if (r.start > next || r.type != type) return false;
    if (r.end >= end) return true;
    next = r.end + 1;
  }
  return false;
}

const LockRange* RangeSet::FirstConflict(uint64_t start, uint64_t end, LockType type) const {
  for (const LockRange& r : ranges_) {
    if (r.start > end) break;
    if (Overlap(r.start, r.end, start, end) && Conflicts(r.type, type)) return &r;
  }
  return nullptr;
}

}  // namespace elk::locks
