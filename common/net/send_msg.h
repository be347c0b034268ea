#pragma once
// Sending one protocol message: encode its payload, then hand the frame to the connection
// (queued on an event-loop Connection, written at once on a BlockingClient). The one
// encoder-and-send of every program, so a message is framed the same way everywhere.

#include <chrono>

#include "common/net/blocking_client.h"
#include "common/net/connection.h"
#include "common/protocol/codec.h"
#include "common/status.h"

namespace elk::net {

template <protocol::Message M>
Status SendMsg(Connection& conn, const M& msg) {
  auto payload = protocol::EncodePayload(msg);
  if (!payload.ok()) return payload.status();
  return conn.Send(M::kType, std::move(*payload));
}

// A link's connection, which is gone while it is disconnected.
template <protocol::Message M>
Status SendMsg(Connection* conn, const M& msg) {
  if (conn == nullptr) return Status(Code::kDisconnected, "not connected");
  return SendMsg(*conn, msg);
}

template <protocol::Message M>
Status SendMsg(BlockingClient& client, const M& msg,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  auto payload = protocol::EncodePayload(msg);
  if (!payload.ok()) return payload.status();
  return client.Send(M::kType, *payload, timeout);
}

}  // namespace elk::net
