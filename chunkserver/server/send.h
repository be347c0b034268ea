#pragma once
// The chunkserver's frame limits for a Connection (messages are sent with net::SendMsg).

#include "common/net/send_msg.h"
#include "common/protocol/codec.h"

namespace elk::chunkserver {

using net::SendMsg;

// The per-type limit for Connection: the protocol table, with known empty types at 1.
inline uint32_t ProtocolMaxPayload(uint32_t type) {
  if (!protocol::KnownType(type)) return 0;
  const uint32_t max = protocol::MaxPayload(type);
  return max == 0 ? 1 : max;
}

}  // namespace elk::chunkserver
