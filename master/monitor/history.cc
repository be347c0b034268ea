#include "master/monitor/history.h"

#include <algorithm>

namespace elk::master::monitor {

bool History::Sample(uint32_t now, const Totals& totals) {
  if (!started_) {
    started_ = true;
    last_time_ = now;
    last_ = totals;
    return false;
  }
  // A clock stepped backwards restarts the current point rather than inventing a rate.
  if (now < last_time_) last_time_ = now;
  const uint32_t elapsed = now - last_time_;
  if (elapsed < step_) return false;
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
  return true;
}

void History::Restore(std::vector<HistoryPoint> points, uint32_t now) {
  const uint64_t span = static_cast<uint64_t>(step_) * capacity_;
  std::erase_if(points, [&](const HistoryPoint& p) {
    return p.time > now || static_cast<uint64_t>(now) - p.time >= span;
  });
  std::sort(points.begin(), points.end(),
            [](const HistoryPoint& a, const HistoryPoint& b) { return a.time < b.time; });
  const uint32_t first_new = points_.empty() ? UINT32_MAX : points_.front().time;
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    if (it->time < first_new) points_.push_front(*it);
  }
  while (points_.size() > capacity_)
    points_.pop_front();
}

}  // namespace elk::master::monitor
