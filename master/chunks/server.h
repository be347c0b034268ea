#pragma once
// The chunkservers the master knows: connected ones, and disconnected ones kept so a
// server that comes back from the same address gets its old id (and the monitor can
// show it as lost).

#include <cstdint>
#include <optional>
#include <vector>

#include "master/chunks/types.h"

namespace elk::master {

struct ServerAddress {
  uint32_t ip = 0;  // host order
  uint16_t port = 0;
  bool operator==(const ServerAddress&) const = default;
};

struct ChunkServer {
  ServerId id = kNoServer;
  ServerAddress address;
  uint64_t used_bytes = 0;
  uint64_t total_bytes = 0;
  uint32_t load = 0;         // operations under way, as the server reports it
  uint32_t chunk_count = 0;  // copies the registry holds on it
  bool connected = false;
  uint32_t disconnected_since = 0;
  bool marked_for_removal = false;  // every disk of it is marked `*`
  // Since its registration: reported copies of chunks the registry does not know, and of
  // chunks at a version newer than the registry's (neither is trusted; see Reconcile).
  uint64_t unknown_reported = 0;
  uint64_t newer_reported = 0;

  // Used over total; a server that reports no space counts as full.
  double usage() const {
    return total_bytes == 0 ? 1.0
                            : static_cast<double>(used_bytes) / static_cast<double>(total_bytes);
  }
};

class ServerTable {
 public:
  // The id of the server at `address`: its old one when it was known, else a new one.
  // nullopt when all 65535 ids are taken.
  std::optional<ServerId> Connect(const ServerAddress& address);
  void Disconnect(ServerId id, uint32_t now);

  ChunkServer* Find(ServerId id);
  const ChunkServer* Find(ServerId id) const;
  bool IsConnected(ServerId id) const {
    const ChunkServer* s = Find(id);
    return s != nullptr && s->connected;
  }
  // Every server ever registered, connected or not, by id.
  const std::vector<ChunkServer>& all() const { return servers_; }
  std::vector<ChunkServer>& all() { return servers_; }
  uint32_t connected_count() const;

 private:
  std::vector<ChunkServer> servers_;  // servers_[i].id == i + 1
};

}  // namespace elk::master
