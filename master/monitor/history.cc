#include "master/monitor/history.h"

namespace elk::master::monitor {

void OpsHistory::Sample(uint32_t now, uint64_t total) {
  if (!started_) {
    started_ = true;
    last_time_ = now;
    last_total_ = total;
    return;
  }
  // A clock stepped backwards restarts the current point rather than inventing a rate.
  if (now < last_time_) last_time_ = now;
  uint32_t elapsed = now - last_time_;
  if (elapsed < step_) return;
  uint64_t done = total >= last_total_ ? total - last_total_ : 0;
  points_.push_back({now, static_cast<double>(done) / elapsed});
  while (points_.size() > capacity_)
    points_.pop_front();
  last_time_ = now;
  last_total_ = total;
}

}  // namespace elk::master::monitor
