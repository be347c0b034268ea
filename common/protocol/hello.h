#pragma once
// The hello every connection starts with (ANTOAN_HELLO), and the check of a received one.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/protocol/antoan.h"
#include "common/status.h"

namespace elk::protocol {

// Bumped whenever a layout changes incompatibly; peers must speak the same one.
// 2: 64-bit ns times and rdev in Attr. 3: the master sends ANTOAN_AUTH_CHALLENGE after the
// hello on 9419/9420, and chunkservers and metaloggers answer it before they register.
// 4: CLTOCS_WRITE_SYNC (fsync down a write chain), which a version-3 chunkserver would
// answer by closing the connection.
// 5: cluster-wide file locks (CLTOMA_LOCK* 1300-1304, MATOCL_LOCK* 2301/2304) and the
// status codes EDEADLK and ENOLCK, which a version-4 master or mount would not know.
// 6: MATOCS_REGISTER carries the master's epoch (fencing of an old leader).
// 7: MATOCL_REGISTER_SESSION carries it too (mounts, tools and mfsiscsid fence it as well).
inline constexpr uint32_t kProtocolVersion = 7;

// "master", "chunkserver", "client", "metalogger", "tool", "iscsi target", "unknown".
std::string_view RoleName(Role role);

// Our hello, for `role`, carrying the build's version string.
AntoanHello MakeHello(Role role, std::string software_version);

// Ok when `peer` speaks `our_version` and is one of `accepted` roles; otherwise kProtocol
// with a message for both logs: "peer speaks protocol 3, we speak 4", "peer is a client
// (0.1.0), expected a chunkserver".
Status CheckHello(const AntoanHello& peer, std::initializer_list<Role> accepted,
                  uint32_t our_version = kProtocolVersion);

}  // namespace elk::protocol
