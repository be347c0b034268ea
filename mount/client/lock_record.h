#pragma once
// The locks this client holds, by its own account (docs/locks.md): kept as the master keeps
// them (one RangeSet per file, kind and owner), updated when a grant arrives and when an
// unlock or release leaves. A resumed session gives this account back to the master
// (CLTOMA_LOCKS_RECLAIM), so locks survive a master restart and a grant whose answer was
// lost leaves nothing behind. Not thread-safe: MasterSession guards it.

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "common/locks/range_set.h"
#include "common/protocol/records.h"

namespace elk::client {

class LockRecord {
 public:
  // A granted lock, or (type kUnlock) a range let go.
  void Apply(const protocol::HeldLock& lock);
  // Every lock of `owner` of `kind` on `inode` goes.
  void ReleaseOwner(uint32_t inode, uint64_t owner, protocol::LockKind kind);
  // Does `owner` hold any lock of `kind` on `inode`?
  bool Holds(uint32_t inode, uint64_t owner, protocol::LockKind kind) const;
  // Every held range, one claim each.
  std::vector<protocol::HeldLock> Claims() const;
  // The master does not hold claims[i] for each i in `lost`: they are forgotten here too.
  void Forget(const std::vector<protocol::HeldLock>& claims, const std::vector<uint32_t>& lost);
  bool empty() const { return held_.empty(); }

 private:
  using Key = std::tuple<uint32_t, protocol::LockKind, uint64_t>;  // inode, kind, owner
  struct Owned {
    locks::RangeSet ranges;
    uint32_t pid = 0;
  };
  std::map<Key, Owned> held_;
};

}  // namespace elk::client
