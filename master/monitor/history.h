#pragma once
// A small in-memory history of the master's request rate for the monitor's chart: one point
// a minute (requests per second over that minute), the last 24 hours. Fed on the loop thread
// with the running total of client requests; nothing is stored on disk.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

class OpsHistory {
 public:
  explicit OpsHistory(uint32_t step_seconds = 60, size_t capacity = 24 * 60)
      : step_(step_seconds), capacity_(capacity) {}

  // `total` is the count of requests since start; called as often as one likes, a point is
  // closed each time `step` seconds have passed since the last one.
  void Sample(uint32_t now, uint64_t total);
  std::vector<HistoryPoint> points() const { return {points_.begin(), points_.end()}; }

 private:
  uint32_t step_;
  size_t capacity_;
  bool started_ = false;
  uint32_t last_time_ = 0;
  uint64_t last_total_ = 0;
  std::deque<HistoryPoint> points_;
};

}  // namespace elk::master::monitor
