#pragma once
// Writers' locks on chunks. Kept beside the chunks rather than in them: only chunks being
// written are locked (a few thousand at most), so millions of chunks do not each carry
// eight bytes for it. A lock expires by itself after its time, so a client that vanished
// mid-write does not block the chunk forever.

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "master/chunks/types.h"

namespace elk::master {

class WriteLocks {
 public:
  // Locked by a session other than `session`, and not expired at `now`.
  bool LockedAgainst(ChunkId id, uint32_t session, uint32_t now) const;
  bool IsLocked(ChunkId id, uint32_t now) const;
  // The session holding the lock (expired or not), 0 when none.
  uint32_t HolderOf(ChunkId id) const;
  void Lock(ChunkId id, uint32_t session, uint32_t until) { locks_[id] = {session, until}; }
  void Unlock(ChunkId id) { locks_.erase(id); }
  // Drops locks that expired before `now`.
  void Expire(uint32_t now);
  size_t size() const { return locks_.size(); }

 private:
  struct Holder {
    uint32_t session = 0;
    uint32_t until = 0;
  };
  std::unordered_map<ChunkId, Holder> locks_;
};

}  // namespace elk::master
