#include "mount/client/lock_record.h"

namespace elk::client {

namespace proto = protocol;

void LockRecord::Apply(const proto::HeldLock& lock) {
  const Key key{lock.inode, lock.kind, lock.owner};
  if (lock.type == proto::LockType::kUnlock) {
    auto it = held_.find(key);
    if (it == held_.end()) return;
    it->second.ranges.Apply(lock.start, lock.end, lock.type);
    if (it->second.ranges.empty()) held_.erase(it);
    return;
  }
  if (lock.kind == proto::LockKind::kFlock) held_.erase(key);  // one flock per owner
  Owned& owned = held_[key];
  owned.ranges.Apply(lock.start, lock.end, lock.type);
  owned.pid = lock.pid;
}

void LockRecord::ReleaseOwner(uint32_t inode, uint64_t owner, proto::LockKind kind) {
  held_.erase(Key{inode, kind, owner});
}

bool LockRecord::Holds(uint32_t inode, uint64_t owner, proto::LockKind kind) const {
  return held_.contains(Key{inode, kind, owner});
}

std::vector<proto::HeldLock> LockRecord::Claims() const {
  std::vector<proto::HeldLock> out;
  for (const auto& [key, owned] : held_) {
    const auto& [inode, kind, owner] = key;
    for (const locks::LockRange& r : owned.ranges.ranges())
      out.push_back({inode, owner, kind, r.type, r.start, r.end, owned.pid});
  }
  return out;
}

void LockRecord::Forget(const std::vector<proto::HeldLock>& claims,
                        const std::vector<uint32_t>& lost) {
  for (uint32_t i : lost) {
    if (i >= claims.size()) continue;
    proto::HeldLock gone = claims[i];
    gone.type = proto::LockType::kUnlock;
    Apply(gone);
  }
}

}  // namespace elk::client
