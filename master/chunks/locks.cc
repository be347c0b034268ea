#include "master/chunks/locks.h"

namespace elk::master {

bool WriteLocks::LockedAgainst(ChunkId id, uint32_t session, uint32_t now) const {
  auto it = locks_.find(id);
  return it != locks_.end() && it->second.session != session && now < it->second.until;
}

bool WriteLocks::IsLocked(ChunkId id, uint32_t now) const {
  auto it = locks_.find(id);
  return it != locks_.end() && now < it->second.until;
}

uint32_t WriteLocks::HolderOf(ChunkId id) const {
  auto it = locks_.find(id);
  return it == locks_.end() ? 0 : it->second.session;
}

void WriteLocks::Expire(uint32_t now) {
  std::erase_if(locks_, [now](const auto& entry) { return entry.second.until <= now; });
}

}  // namespace elk::master
