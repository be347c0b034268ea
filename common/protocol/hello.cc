#include "common/protocol/hello.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace elk::protocol {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kMaster:
      return "master";
    case Role::kChunkserver:
      return "chunkserver";
    case Role::kClient:
      return "client";
    case Role::kMetalogger:
      return "metalogger";
    case Role::kTool:
      return "tool";
    case Role::kIscsiTarget:
      return "iscsi target";
    case Role::kMonitor:
      return "monitor reader";
    case Role::kUnknown:
    case Role::kLast:
      break;
  }
  return "unknown";
}

AntoanHello MakeHello(Role role, std::string software_version) {
  return AntoanHello{.protocol_version = kProtocolVersion,
                     .role = role,
                     .software_version = std::move(software_version)};
}

Status CheckHello(const AntoanHello& peer, std::initializer_list<Role> accepted,
                  uint32_t our_version) {
  if (peer.protocol_version != our_version) {
    return Status(
        Code::kProtocol,
        fmt::format("peer speaks protocol {}, we speak {} (peer is a {} {})", peer.protocol_version,
                    our_version, RoleName(peer.role), peer.software_version));
  }
  if (std::find(accepted.begin(), accepted.end(), peer.role) != accepted.end()) {
    return Status::Ok();
  }
  std::string expected;
  for (Role r : accepted) {
    if (!expected.empty()) expected += " or ";
    expected += fmt::format("a {}", RoleName(r));
  }
  return Status(Code::kProtocol, fmt::format("peer is a {} ({}), expected {}", RoleName(peer.role),
                                             peer.software_version, expected));
}

}  // namespace elk::protocol
