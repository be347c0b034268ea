#include "master/chunks/server.h"

#include <limits>

namespace elk::master {

std::optional<ServerId> ServerTable::Connect(const ServerAddress& address) {
  for (ChunkServer& s : servers_) {
    if (s.address == address) {
      s.connected = true;
      s.disconnected_since = 0;
      return s.id;
    }
  }
  if (servers_.size() >= std::numeric_limits<ServerId>::max()) return std::nullopt;
  ChunkServer s;
  s.id = static_cast<ServerId>(servers_.size() + 1);
  s.address = address;
  s.connected = true;
  servers_.push_back(s);
  return s.id;
}

void ServerTable::Disconnect(ServerId id, uint32_t now) {
  ChunkServer* s = Find(id);
  if (s == nullptr || !s->connected) return;
  s->connected = false;
  s->disconnected_since = now;
  s->load = 0;
  s->chunk_count = 0;
}

ChunkServer* ServerTable::Find(ServerId id) {
  if (id == kNoServer || id > servers_.size()) return nullptr;
  return &servers_[id - 1];
}

const ChunkServer* ServerTable::Find(ServerId id) const {
  if (id == kNoServer || id > servers_.size()) return nullptr;
  return &servers_[id - 1];
}

uint32_t ServerTable::connected_count() const {
  uint32_t n = 0;
  for (const ChunkServer& s : servers_)
    n += s.connected ? 1 : 0;
  return n;
}

}  // namespace elk::master
