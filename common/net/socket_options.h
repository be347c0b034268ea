#pragma once
// The few socket settings every ElkFS TCP socket needs, as Status-returning calls.

#include <chrono>

#include "common/net/address.h"
#include "common/net/unique_fd.h"
#include "common/status.h"

namespace elk::net {

// A new IPv4 TCP socket, non-blocking and close-on-exec.
Result<UniqueFd> NewTcpSocket();
Status SetNonBlocking(int fd);
Status SetNoDelay(int fd);
Status SetReuseAddress(int fd);
// The pending error of a socket (SO_ERROR), 0 when none.
int PendingSocketError(int fd);
// The local and remote ends of a connected or bound socket.
Result<Address> LocalAddress(int fd);
Result<Address> PeerAddress(int fd);

}  // namespace elk::net
