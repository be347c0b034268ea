#pragma once
// Operations the master has sent to chunkservers and not yet heard back about:
// replications (into one server, read from another), deletions, and updates of a copy
// (create, set-version, duplicate: the copy is busy until answered). Counted per server so
// the planner's limits (CHUNKS_WRITE_REP_LIMIT, CHUNKS_READ_REP_LIMIT, CHUNKS_DEL_LIMIT)
// hold across ticks; timed out so a lost reply does not block a server forever.

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "master/chunks/types.h"

namespace elk::master {

struct Replication {
  ChunkId chunk = 0;
  ServerId from = kNoServer;
  ServerId to = kNoServer;
  uint32_t started = 0;
};

// An operation on one server's copy.
struct CopyOp {
  ChunkId chunk = 0;
  ServerId server = kNoServer;
  uint32_t started = 0;
};
using Deletion = CopyOp;
using Update = CopyOp;  // create, set-version or duplicate

class OperationTracker {
 public:
  void StartReplication(const Replication& r);
  // The replication of `chunk` into `to`, removed from the tracker; nullopt if unknown.
  std::optional<Replication> FinishReplication(ChunkId chunk, ServerId to);
  void StartDeletion(const Deletion& d);
  bool FinishDeletion(ChunkId chunk, ServerId server);

  // Create, set-version and duplicate: not limited, only timed out.
  void StartUpdate(const Update& u) { updates_.emplace(Key{u.chunk, u.server}, u); }
  bool FinishUpdate(ChunkId chunk, ServerId server) {
    return updates_.erase(Key{chunk, server}) > 0;
  }
  std::vector<Update> TakeExpiredUpdates(uint32_t now, uint32_t timeout);

  uint32_t replications_into(ServerId s) const { return CountsOf(s).rep_in; }
  uint32_t replications_out_of(ServerId s) const { return CountsOf(s).rep_out; }
  uint32_t deletions_on(ServerId s) const { return CountsOf(s).del; }
  size_t replications() const { return replications_.size(); }
  size_t deletions() const { return deletions_.size(); }

  // Operations started before `now - timeout`, removed from the tracker.
  std::vector<Replication> TakeExpiredReplications(uint32_t now, uint32_t timeout);
  std::vector<Deletion> TakeExpiredDeletions(uint32_t now, uint32_t timeout);
  // A server went away: nothing it was to do will be answered.
  void ForgetServer(ServerId s);

 private:
  struct Counts {
    uint32_t rep_in = 0;
    uint32_t rep_out = 0;
    uint32_t del = 0;
  };
  using Key = std::pair<ChunkId, ServerId>;
  Counts CountsOf(ServerId s) const { return s < counts_.size() ? counts_[s] : Counts{}; }
  Counts& CountsFor(ServerId s);
  void Release(const Replication& r);

  std::map<Key, Replication> replications_;  // by (chunk, target)
  std::map<Key, Deletion> deletions_;        // by (chunk, server)
  std::map<Key, Update> updates_;            // by (chunk, server)
  std::vector<Counts> counts_;               // by server id
};

}  // namespace elk::master
