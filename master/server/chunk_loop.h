#pragma once
// The chunk loop: every tick_interval seconds the replication planner picks what to
// copy and delete, and this sends those commands to the chunkservers. An action whose
// server is not connected fails at once (the registry is told, so its copy is not left
// busy). Operations unanswered for operation_timeout count as failed.
//
// Every progress_interval (10 s) it also counts the chunks under goal (one pass over the
// registry, about 10 ms for a million chunks) and, while any are, logs how far the
// catch-up has come; the monitor shows the same figures.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/net/event_loop.h"
#include "master/chunks/registry.h"
#include "master/replication/catch_up.h"
#include "master/replication/planner.h"
#include "master/server/chunkserver_link.h"

namespace elk::master {

class ChunkLoop {
 public:
  ChunkLoop(net::EventLoop& loop, ChunkRegistry& registry, ChunkserverHub& hub,
            replication::Config config, NowFn now);
  ~ChunkLoop();
  ChunkLoop(const ChunkLoop&) = delete;
  ChunkLoop& operator=(const ChunkLoop&) = delete;

  // Start is a no-op while running; Stop ends the ticks (a follower does no housekeeping).
  void Start();
  void Stop();
  bool running() const { return timer_ != net::kNoTimer; }
  // One tick (the timer calls it; tests may too). Returns how many commands were sent.
  size_t Tick();
  const replication::Planner& planner() const { return planner_; }

  // Before Start(): how often ReportProgress runs.
  void set_progress_interval(std::chrono::milliseconds every) { progress_interval_ = every; }
  // Counts the chunks under goal, updates the catch-up and logs its line (the progress
  // timer's job; tests call it too); a line unchanged since the last is repeated only every
  // 5 minutes. Returns the line logged, or "".
  std::string ReportProgress();
  const replication::CatchUp& catch_up() const { return catch_up_; }
  const replication::UnderGoalCount& under_goal() const { return under_goal_; }
  // Replications sent and not yet answered.
  size_t in_flight() const { return registry_.operations().replications(); }

 private:
  bool Send(const replication::Action& action);

  net::EventLoop& loop_;
  ChunkRegistry& registry_;
  ChunkserverHub& hub_;
  NowFn now_;
  replication::Planner planner_;
  net::TimerId timer_ = net::kNoTimer;
  net::TimerId progress_timer_ = net::kNoTimer;
  std::chrono::milliseconds progress_interval_{10000};
  replication::CatchUp catch_up_;
  replication::UnderGoalCount under_goal_;
  std::string last_line_;
  uint32_t last_line_at_ = 0;
};

}  // namespace elk::master
