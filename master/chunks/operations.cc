#include "master/chunks/operations.h"

namespace elk::master {

OperationTracker::Counts& OperationTracker::CountsFor(ServerId s) {
  if (s >= counts_.size()) counts_.resize(size_t{s} + 1);
  return counts_[s];
}

void OperationTracker::StartReplication(const Replication& r) {
  if (!replications_.emplace(Key{r.chunk, r.to}, r).second) return;
  ++CountsFor(r.to).rep_in;
  ++CountsFor(r.from).rep_out;
}

void OperationTracker::Release(const Replication& r) {
  --CountsFor(r.to).rep_in;
  --CountsFor(r.from).rep_out;
}

std::optional<Replication> OperationTracker::FinishReplication(ChunkId chunk, ServerId to) {
  auto it = replications_.find(Key{chunk, to});
  if (it == replications_.end()) return std::nullopt;
  Replication r = it->second;
  replications_.erase(it);
  Release(r);
  return r;
}

void OperationTracker::StartDeletion(const Deletion& d) {
  if (deletions_.emplace(Key{d.chunk, d.server}, d).second) ++CountsFor(d.server).del;
}

bool OperationTracker::FinishDeletion(ChunkId chunk, ServerId server) {
  if (deletions_.erase(Key{chunk, server}) == 0) return false;
  --CountsFor(server).del;
  return true;
}

std::vector<Replication> OperationTracker::TakeExpiredReplications(uint32_t now, uint32_t timeout) {
  std::vector<Replication> expired;
  for (auto it = replications_.begin(); it != replications_.end();) {
    if (it->second.started + timeout > now) {
      ++it;
      continue;
    }
    expired.push_back(it->second);
    Release(it->second);
    it = replications_.erase(it);
  }
  return expired;
}

std::vector<Deletion> OperationTracker::TakeExpiredDeletions(uint32_t now, uint32_t timeout) {
  std::vector<Deletion> expired;
  for (auto it = deletions_.begin(); it != deletions_.end();) {
    if (it->second.started + timeout > now) {
      ++it;
      continue;
    }
    expired.push_back(it->second);
    --CountsFor(it->second.server).del;
    it = deletions_.erase(it);
  }
  return expired;
}

std::vector<Update> OperationTracker::TakeExpiredUpdates(uint32_t now, uint32_t timeout) {
  std::vector<Update> expired;
  for (auto it = updates_.begin(); it != updates_.end();) {
    if (it->second.started + timeout > now) {
      ++it;
      continue;
    }
    expired.push_back(it->second);
    it = updates_.erase(it);
  }
  return expired;
}

void OperationTracker::ForgetServer(ServerId s) {
  std::erase_if(updates_, [s](const auto& entry) { return entry.second.server == s; });
  for (auto it = replications_.begin(); it != replications_.end();) {
    // A replication whose source left may still finish (the target reads what it had);
    // one whose target left will never be answered.
    if (it->second.to != s) {
      ++it;
      continue;
    }
    Release(it->second);
    it = replications_.erase(it);
  }
  for (auto it = deletions_.begin(); it != deletions_.end();) {
    if (it->second.server != s) {
      ++it;
      continue;
    }
    --CountsFor(s).del;
    it = deletions_.erase(it);
  }
}

}  // namespace elk::master
