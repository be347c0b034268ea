#pragma once
// One chunk as the master keeps it: version, file references and the goal they ask for,
// and its copies. Kept small (see chunk_test's size check): most chunks have one reference
// and up to three copies, and then no heap block is used besides the map node. Writers'
// locks live beside the chunks (locks.h).

#include <array>
#include <cstdint>
#include <memory>

#include "master/chunks/copy_list.h"
#include "master/chunks/types.h"

namespace elk::master {

class Chunk {
 public:
  uint32_t version() const { return version_; }
  void set_version(uint32_t v) { version_ = v; }

  // --- references and goal ---------------------------------------------------------
  uint32_t refcount() const { return refcount_; }
  // The highest goal among the references (0 when there are none).
  uint8_t goal() const { return goal_; }
  // How many references ask for exactly `goal` (for the metadata image).
  uint32_t RefsOfGoal(uint8_t goal) const {
    if (goal == 0 || goal > kMaxChunkGoal) return 0;
    if (goal_refs_) return (*goal_refs_)[goal];
    return goal == goal_ ? refcount_ : 0;
  }
  // Goals outside 1..9 are clamped into it.
  void AddRef(uint8_t goal);
  // False (and no change) when no reference with that goal exists.
  bool RemoveRef(uint8_t goal);
  bool ChangeGoal(uint8_t old_goal, uint8_t new_goal);

  // When a copy was last lost to a disconnecting server (0: never); the planner waits
  // REPLICATIONS_DELAY_DISCONNECT from then, as the server may come back.
  uint32_t lost_copy_at() const { return lost_copy_at_; }
  void set_lost_copy_at(uint32_t t) { lost_copy_at_ = t; }

  CopyList& copies() { return copies_; }
  const CopyList& copies() const { return copies_; }

 private:
  // Per-goal reference counts, allocated only when references ask for different goals
  // (snapshots with setgoal): the common case keeps just goal_ and refcount_.
  using GoalRefs = std::array<uint32_t, kMaxChunkGoal + 1>;
  void RecomputeGoal();

  uint32_t version_ = 1;
  uint32_t refcount_ = 0;
  uint32_t lost_copy_at_ = 0;
  uint8_t goal_ = 0;
  CopyList copies_;
  std::unique_ptr<GoalRefs> goal_refs_;
};

}  // namespace elk::master
