#pragma once
// Which follower masters a leader waits for before it acknowledges a change
// (MASTER_SYNC_FOLLOWERS, docs/failover.md "Acknowledged means on a follower too"). A
// follower joins when it registers and counts once its committed version (MLTOMA_APPLIED)
// has reached the leader's; it is dropped from the count when a change waited longer than
// MASTER_SYNC_TIMEOUT for it, and counts again once it has caught up. With fewer members
// than wanted, every member must hold a change; with none, nothing waits (the leader says so
// in its log and monitor). Pure bookkeeping: the reply gate asks, the metalogger hub tells.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace elk::master {

class FollowerQuorum {
 public:
  using Clock = std::chrono::steady_clock;
  FollowerQuorum(int wanted, Clock::duration timeout) : wanted_(wanted), timeout_(timeout) {}

  // `id` names a follower link; `name` is for the log.
  void Joined(const void* id, std::string name);
  void Left(const void* id);
  // The follower committed up to `version`; `leader_version` is the leader's now (a follower
  // out of the count comes back when it reaches it). True when the count may have changed.
  bool Applied(const void* id, uint64_t version, uint64_t leader_version);
  // May a change at `version` be acknowledged?
  bool Holds(uint64_t version) const;
  // A change at `version` has waited since `since`: past the time-out, the members that do
  // not hold it are dropped from the count. True when one was.
  bool Expire(uint64_t version, Clock::time_point since, Clock::time_point now);

  int wanted() const { return wanted_; }
  int members() const;  // followers counted now
  int connected() const { return static_cast<int>(followers_.size()); }
  Clock::duration timeout() const { return timeout_; }

 private:
  struct Follower {
    std::string name;
    uint64_t applied = 0;
    bool member = false;
  };
  void Report() const;

  const int wanted_;
  const Clock::duration timeout_;
  std::map<const void*, Follower> followers_;
};

}  // namespace elk::master
