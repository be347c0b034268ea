#pragma once
// A small in-memory history of the cluster's activity for the monitor's charts: one point a
// step (a minute by default), the last 1440 points (24 hours at that step). Each point holds
// the rates over its step of several running totals (client requests, bytes read and written
// on the chunkservers' disks, replication); fed on the loop thread. The master keeps the
// points in DATA_PATH/stats.mfs (history_file.h) and gives them back with Restore.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

// What a counter moved by between two readings. A counter that went down was restarted (its
// chunkserver restarted, its disk was added again): what it shows now is what it counted
// since, never a negative move.
constexpr uint64_t CounterDelta(uint64_t before, uint64_t now) {
  return now >= before ? now - before : now;
}

class History {
 public:
  static constexpr uint32_t kDefaultStep = 60;
  static constexpr size_t kDefaultCapacity = 24 * 60;

  explicit History(uint32_t step_seconds = kDefaultStep, size_t capacity = kDefaultCapacity)
      : step_(step_seconds == 0 ? 1 : step_seconds), capacity_(capacity) {}

  // `totals` are the running totals now; called as often as one likes, a point is closed each
  // time `step` seconds have passed since the last one. True when it closed a point.
  bool Sample(uint32_t now, const Totals& totals);
  std::vector<HistoryPoint> points() const { return {points_.begin(), points_.end()}; }
  // Points kept from before a restart: those of the last `capacity` steps before `now`, in
  // time order, go before anything sampled since.
  void Restore(std::vector<HistoryPoint> points, uint32_t now);
  uint32_t step() const { return step_; }

 private:
  uint32_t step_;
  size_t capacity_;
  bool started_ = false;
  uint32_t last_time_ = 0;
  Totals last_;
  std::deque<HistoryPoint> points_;
};

}  // namespace elk::master::monitor
