#include "master/monitor/history.h"

namespace elk::master::monitor {

void History::Sample(uint32_t now, const Totals& totals) {
  if (!started_) {
    started_ = true;
    last_time_ = now;
    last_ = totals;
    return;
  }
  // A clock stepped backwards restarts the current point rather than inventing a rate.
  if (now < last_time_) last_time_ = now;
  const uint32_t elapsed = now - last_time_;
  if (elapsed < step_) return;
  auto rate = [&](uint64_t before, uint64_t after) {
    return static_cast<double>(CounterDelta(before, after)) / elapsed;
  };
  points_.push_back({.time = now,
                     .ops_per_second = rate(last_.ops, totals.ops),
                     .read_bytes_per_second = rate(last_.bytes_read, totals.bytes_read),
                     .written_bytes_per_second = rate(last_.bytes_written, totals.bytes_written),
                     .replications_per_second = rate(last_.replications, totals.replications),
                     .deletions_per_second = rate(last_.deletions, totals.deletions)});
  while (points_.size() > capacity_)
    points_.pop_front();
  last_time_ = now;
  last_ = totals;
}

}  // namespace elk::master::monitor
