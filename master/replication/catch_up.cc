#include "master/replication/catch_up.h"

#include <fmt/format.h>

#include "master/chunks/health.h"

namespace elk::master::replication {

UnderGoalCount CountUnderGoal(const ChunkRegistry& registry) {
  UnderGoalCount c;
  registry.ForEachChunk([&](ChunkId, const Chunk& chunk) {
    if (chunk.goal() == 0) return;
    const uint32_t valid = Assess(chunk, registry.servers()).valid;
    if (valid == 0) {
      c.missing++;
    } else if (valid < chunk.goal()) {
      c.undergoal++;
    }
  });
  return c;
}

void CatchUp::Observe(uint32_t now, uint64_t undergoal) {
  just_ended_ = false;
  if (!active_) {
    if (undergoal == 0) return;
    active_ = true;
    done_ = 0;
    remaining_ = undergoal;
    started_at_ = now;
    ended_at_ = 0;
    return;
  }
  if (undergoal < remaining_) done_ += remaining_ - undergoal;
  remaining_ = undergoal;
  if (undergoal == 0) {
    active_ = false;
    just_ended_ = true;
    ended_at_ = now;
  }
}

double CatchUp::percent() const {
  const uint64_t all = total();
  return all == 0 ? 100.0 : 100.0 * static_cast<double>(done_) / static_cast<double>(all);
}

std::string CatchUpLogLine(const CatchUp& c, const UnderGoalCount& count, size_t in_flight,
                           uint32_t now) {
  const std::string missing =
      count.missing == 0
          ? ""
          : fmt::format("; {} chunks have no valid copy and cannot be replicated", count.missing);
  if (c.just_ended()) {
    return fmt::format("replication: caught up, {} under-goal chunks brought to goal in {} s{}",
                       c.total(), now - c.started_at(), missing);
  }
  if (!c.active()) return "";
  // Floor, so "100%" is never shown while chunks remain.
  return fmt::format("replication: {} of {} under-goal chunks done ({}%), {} in flight{}", c.done(),
                     c.total(), static_cast<uint64_t>(c.percent()), in_flight, missing);
}

}  // namespace elk::master::replication
