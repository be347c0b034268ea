#pragma once
// STATFS answers from a copy of the namespace's totals taken at most once a second, so a
// client that calls statfs in a loop (df, a desktop's free-space widget, a hostile peer)
// costs one walk of the namespace a second at most, not one per call.

#include <chrono>

#include "master/namespace/namespace.h"

namespace elk::master {

class StatfsCache {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{1000};

  const StatFs& Get(const Namespace& ns) {
    const auto now = std::chrono::steady_clock::now();
    if (!taken_ || now - taken_at_ >= kMaxAge) {
      stats_ = ns.Stats();
      ++walks_;
      taken_at_ = now;
      taken_ = true;
    }
    return stats_;
  }
  uint64_t walks() const { return walks_; }

 private:
  StatFs stats_;
  std::chrono::steady_clock::time_point taken_at_;
  bool taken_ = false;
  uint64_t walks_ = 0;
};

}  // namespace elk::master
