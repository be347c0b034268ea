#pragma once
// Whether this mfsmaster leads or follows, and what a follower knows of its leader. The
// master's loop owns it; the three ports ask it, after a peer's hello, whether to send the
// peer to the leader instead (ANTOAN_NOT_LEADER). The etcd election (master_election.cc),
// or MASTER_FOLLOW without one, drives the transitions through MasterServer::FollowLeader /
// BecomeLeader.
// See docs/failover.md, "Followers".

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/protocol/antoan.h"
#include "common/status.h"

namespace elk::master {

enum class MasterRole : uint8_t { kLeader, kFollower };

std::string_view MasterRoleName(MasterRole role);  // "leader", "follower"

// MASTER_FOLLOW's "HOST:PORT" (a bare HOST: port 9419), the host kept as written (a name is
// resolved at each connect). kBadConfig when it does not parse.
struct FollowTarget {
  std::string host;
  uint16_t port = 0;
};
Result<FollowTarget> ParseFollow(std::string_view text);

// A link's question after a peer's hello: the refusal to send, or nothing (serve it).
using NotLeaderFn = std::function<std::optional<protocol::AntoanNotLeader>(protocol::Role peer)>;

struct RoleState {
  MasterRole role = MasterRole::kLeader;
  uint64_t epoch = 0;     // the term (etcd leader key's create_revision); 0 without etcd
  uint64_t led_from = 0;  // the version this master began to lead at (0: it never followed)

  // ---- a follower's view of its leader ----
  std::string leader_host;          // MASTER_FOLLOW's host
  uint16_t leader_follow_port = 0;  // MASTER_FOLLOW's port (the leader's metalogger port)
  uint16_t leader_client_port = 0;  // from MATOML_LEADER_INFO; 0 until it came
  uint16_t leader_chunkserver_port = 0;
  uint16_t leader_metalogger_port = 0;
  uint64_t leader_version = 0;   // the newest version the leader announced or sent
  uint32_t caught_up_at = 0;     // the last time our version reached leader_version
  uint32_t last_applied_at = 0;  // the last time a record was applied
  bool diverged = false;         // a replay failed: the state waits for an image

  bool following() const { return role == MasterRole::kFollower; }
  // The refusal a follower sends a peer of `peer` role; nothing on the leader.
  std::optional<protocol::AntoanNotLeader> NotLeader(protocol::Role peer) const;
  // The leader's version ahead of ours (0 on the leader).
  uint64_t LagRecords(uint64_t our_version) const;
  // Seconds since our version last reached the leader's (0 when current, or leading).
  uint32_t LagSeconds(uint64_t our_version, uint32_t now) const;
};

}  // namespace elk::master
