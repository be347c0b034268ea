#include "master/server/follower_quorum.h"

#include <algorithm>

#include "common/log/log.h"

namespace elk::master {

void FollowerQuorum::Joined(const void* id, std::string name) {
  followers_[id] = Follower{std::move(name), 0, false};
}

void FollowerQuorum::Left(const void* id) {
  auto it = followers_.find(id);
  if (it == followers_.end()) return;
  const bool was_member = it->second.member;
  followers_.erase(it);
  if (was_member) Report();
}

bool FollowerQuorum::Applied(const void* id, uint64_t version, uint64_t leader_version) {
  auto it = followers_.find(id);
  if (it == followers_.end()) return false;
  Follower& f = it->second;
  f.applied = std::max(f.applied, version);
  if (f.member || f.applied < leader_version || wanted_ == 0) return f.member;
  f.member = true;
  log::Info("follower {} caught up at version {}: acknowledged changes wait for it", f.name,
            f.applied);
  Report();
  return true;
}

int FollowerQuorum::members() const {
  return static_cast<int>(std::count_if(followers_.begin(), followers_.end(),
                                        [](const auto& e) { return e.second.member; }));
}

bool FollowerQuorum::Holds(uint64_t version) const {
  if (wanted_ == 0) return true;
  int members = 0, holding = 0;
  for (const auto& [id, f] : followers_) {
    if (!f.member) continue;
    ++members;
    if (f.applied >= version) ++holding;
  }
  return holding >= std::min(wanted_, members);
}

bool FollowerQuorum::Expire(uint64_t version, Clock::time_point since, Clock::time_point now) {
  if (now - since < timeout_) return false;
  bool dropped = false;
  for (auto& [id, f] : followers_) {
    if (!f.member || f.applied >= version) continue;
    f.member = false;
    dropped = true;
    log::Warning(
        "follower {} dropped from MASTER_SYNC_FOLLOWERS: version {} waited {} ms for it "
        "(it holds {})",
        f.name, version, std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count(),
        f.applied);
  }
  if (dropped) Report();
  return dropped;
}

void FollowerQuorum::Report() const {
  const int n = members();
  if (n >= wanted_) {
    log::Info("changes are acknowledged once {} follower(s) hold them", wanted_);
  } else {
    log::Warning("running with fewer copies: MASTER_SYNC_FOLLOWERS is {}, {} follower(s) in step",
                 wanted_, n);
  }
}

}  // namespace elk::master
