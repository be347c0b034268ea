#include "master/server/role.h"

#include <fmt/format.h>

#include "common/net/address.h"

namespace elk::master {

std::string_view MasterRoleName(MasterRole role) {
  return role == MasterRole::kLeader ? "leader" : "follower";
}

Result<FollowTarget> ParseFollow(std::string_view text) {
  auto parsed = net::ParseHostPort(text, 9419);
  if (!parsed.ok() || text.empty()) {
    return Status(Code::kBadConfig, fmt::format("MASTER_FOLLOW '{}': not HOST:PORT ({})", text,
                                                parsed.ok() ? "empty" : parsed.status().message()));
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return FollowTarget{std::string(text), 9419};
  return FollowTarget{std::string(text.substr(0, colon)), parsed->port};
}

std::optional<protocol::AntoanNotLeader> RoleState::NotLeader(protocol::Role peer) const {
  if (!following()) return std::nullopt;
  protocol::AntoanNotLeader m;
  m.epoch = epoch;
  m.host = leader_host;
  switch (peer) {
    case protocol::Role::kChunkserver:
      m.port = leader_chunkserver_port;
      break;
    case protocol::Role::kMetalogger:
    case protocol::Role::kMaster:
      m.port = leader_metalogger_port != 0 ? leader_metalogger_port : leader_follow_port;
      break;
    default:  // clients, tools, the iSCSI target
      m.port = leader_client_port;
      break;
  }
  if (m.port == 0) m.host.clear();  // the leader has not said where it serves: not known yet
  return m;
}

uint64_t RoleState::LagRecords(uint64_t our_version) const {
  if (!following() || leader_version <= our_version) return 0;
  return leader_version - our_version;
}

uint32_t RoleState::LagSeconds(uint64_t our_version, uint32_t now) const {
  if (LagRecords(our_version) == 0 || now <= caught_up_at) return 0;
  return now - caught_up_at;
}

}  // namespace elk::master
