#include "master/chunks/chunk.h"

#include <algorithm>

namespace elk::master {
namespace {
uint8_t ClampGoal(uint8_t g) {
  return std::clamp<uint8_t>(g, 1, kMaxChunkGoal);
}
}  // namespace

void Chunk::AddRef(uint8_t goal) {
  goal = ClampGoal(goal);
  if (refcount_ == 0) {
    goal_ = goal;
  } else if (!goal_refs_ && goal != goal_) {
    goal_refs_ = std::make_unique<GoalRefs>();
    (*goal_refs_)[goal_] = refcount_;
  }
  ++refcount_;
  if (goal_refs_) {
    ++(*goal_refs_)[goal];
    goal_ = std::max(goal_, goal);
  }
}

bool Chunk::RemoveRef(uint8_t goal) {
  goal = ClampGoal(goal);
  if (refcount_ == 0) return false;
  if (!goal_refs_) {
    if (goal != goal_) return false;
    if (--refcount_ == 0) goal_ = 0;
    return true;
  }
  uint32_t& n = (*goal_refs_)[goal];
  if (n == 0) return false;
  --n;
  --refcount_;
  RecomputeGoal();
  return true;
}

bool Chunk::ChangeGoal(uint8_t old_goal, uint8_t new_goal) {
  if (!RemoveRef(old_goal)) return false;
  AddRef(new_goal);
  return true;
}

void Chunk::RecomputeGoal() {
  const GoalRefs& refs = *goal_refs_;
  goal_ = 0;
  int distinct = 0;
  for (uint8_t g = 1; g <= kMaxChunkGoal; ++g) {
    if (refs[g] == 0) continue;
    goal_ = g;
    ++distinct;
  }
  // Back to one goal: the compact form says it all.
  if (distinct <= 1) goal_refs_.reset();
}

}  // namespace elk::master
