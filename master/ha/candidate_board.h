#pragma once
// Which candidate holds the newest metadata, asked of etcd when the leader key is free.
// Each candidate writes what it holds under <prefix>candidates/<node> (on a lease of its
// own, so a candidate that dies leaves no entry behind for longer than the TTL), waits a
// moment for the others to do the same, and campaigns only when none of them holds newer
// metadata. So the follower that has every acknowledged change leads, not one that missed
// the last records (docs/failover.md, "Preferring the most up-to-date candidate").
//
// Metadata is ordered by the term it follows (or led), then by version: a follower's
// records are a prefix of its leader's, so a newer term's copy is the one clients were
// answered from, whatever its length; within a term the longer copy holds more.

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "master/ha/etcd_client.h"

namespace elk::master::ha {

struct HeldMetadata {
  uint64_t term = 0;     // the epoch followed or led; 0: a state no leader vouches for
  uint64_t version = 0;  // the last metadata version held
  bool operator==(const HeldMetadata&) const = default;
};

bool Newer(const HeldMetadata& a, const HeldMetadata& b);  // a holds more than b
std::string HeldValue(const HeldMetadata& held);           // "term version"
std::optional<HeldMetadata> ParseHeld(const std::string& value);

// A candidate holding newer metadata than ours.
struct BetterCandidate {
  std::string node;
  HeldMetadata held;
};

// One candidate's entry on the board. Election thread only.
class CandidateBoard {
 public:
  CandidateBoard(EtcdClient& client, const std::string& prefix, std::string node_id,
                 int64_t ttl_seconds);
  // Writes (or rewrites) our entry, granting a lease when ours is gone.
  Status Announce(const HeldMetadata& held);
  // The candidate on the board with the newest metadata newer than `held`, if any. An
  // unreadable entry counts as nothing.
  Result<std::optional<BetterCandidate>> Better(const HeldMetadata& held);
  // Takes our entry off (revokes its lease): once a leader is known, or we lead.
  void Withdraw();
  bool announced() const { return lease_ != 0; }

 private:
  EtcdClient& client_;
  std::string prefix_;  // <prefix>candidates/
  std::string node_id_;
  int64_t ttl_;
  int64_t lease_ = 0;
};

}  // namespace elk::master::ha
