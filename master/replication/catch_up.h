#pragma once
// Replication catch-up: how far the master has come in bringing under-goal chunks back to
// their goal, for the log ("replication: 120 of 480 under-goal chunks done (25%), 3 in
// flight") and the monitor.
//
// A catch-up starts when chunks fall under goal (a chunkserver lost, a goal raised) and
// ends when none is left. Its total is what was under goal at the start plus what fell
// under goal since; its done count grows by every drop of the under-goal count. So a
// second server lost half-way makes the total grow instead of the percentage jump back.
// Chunks without any valid copy (missing) cannot be copied: they are counted apart and
// keep no catch-up open.

#include <cstdint>
#include <string>

#include "master/chunks/registry.h"

namespace elk::master::replication {

struct UnderGoalCount {
  uint64_t undergoal = 0;  // goal > valid copies >= 1: replication can fix these
  uint64_t missing = 0;    // referenced, no valid copy
};

// One pass over every chunk, with the health rules the monitor's matrix uses.
UnderGoalCount CountUnderGoal(const ChunkRegistry& registry);

class CatchUp {
 public:
  // A fresh count, taken at `now` (seconds).
  void Observe(uint32_t now, uint64_t undergoal);

  bool active() const { return active_; }
  uint64_t done() const { return done_; }
  uint64_t total() const { return done_ + remaining_; }
  uint64_t remaining() const { return remaining_; }
  // 100 when there is nothing to catch up.
  double percent() const;
  uint32_t started_at() const { return started_at_; }  // of the current or last catch-up
  uint32_t ended_at() const { return ended_at_; }      // of the last one; 0 while active
  // Set by the Observe that ended a catch-up, cleared by the next.
  bool just_ended() const { return just_ended_; }

 private:
  bool active_ = false;
  bool just_ended_ = false;
  uint64_t done_ = 0;
  uint64_t remaining_ = 0;
  uint32_t started_at_ = 0;
  uint32_t ended_at_ = 0;
};

// The log line for the state after an Observe; empty when there is nothing to say (no
// catch-up under way and none just ended).
std::string CatchUpLogLine(const CatchUp& c, const UnderGoalCount& count, size_t in_flight,
                           uint32_t now);

}  // namespace elk::master::replication
