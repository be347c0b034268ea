#pragma once
// Sending a protocol message on a Connection: encode, then queue.

#include "common/net/connection.h"
#include "common/protocol/codec.h"
#include "common/status.h"

namespace elk::chunkserver {

template <protocol::Message M>
Status SendMsg(net::Connection& conn, const M& msg) {
  auto payload = protocol::EncodePayload(msg);
  if (!payload.ok()) return payload.status();
  return conn.Send(M::kType, std::move(*payload));
}

// The per-type limit for Connection: the protocol table, with known empty types at 1.
inline uint32_t ProtocolMaxPayload(uint32_t type) {
  if (!protocol::KnownType(type)) return 0;
  const uint32_t max = protocol::MaxPayload(type);
  return max == 0 ? 1 : max;
}

}  // namespace elk::chunkserver
