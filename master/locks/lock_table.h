#pragma once
// The master's file locks (docs/locks.md): flock(2) locks and POSIX record locks of every
// session, by file and owner, and the requests waiting for them. Pure state, no network:
// the server (master/server/lock_service.h) answers the clients.
//
// An owner is a session and FUSE's lock owner in it (a process's file table for POSIX
// locks, an open file description for flock). POSIX locks and flocks are two separate
// sets, as in Linux. Conflicts are between owners: an owner's own locks never stand in its
// way, and a POSIX lock over part of the owner's range splits or merges it (RangeSet).
//
// A request that conflicts either fails (kAgain) or waits, under a wait id the caller
// chooses; every call that frees something retries the file's waiters in arrival order and
// reports the wait ids it granted, so the caller can answer them.

#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/locks/range_set.h"
#include "common/protocol/records.h"
#include "common/status.h"

namespace elk::master::locks {

using elk::locks::LockRange;
using elk::locks::RangeSet;
using protocol::LockKind;
using protocol::LockType;

struct Owner {
  uint32_t session = 0;
  uint64_t id = 0;  // FUSE's lock owner within the session
  auto operator<=>(const Owner&) const = default;
};

struct Request {
  uint32_t inode = 0;
  LockKind kind = LockKind::kPosix;
  Owner owner;
  uint32_t pid = 0;
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive
  LockType type = LockType::kUnlock;
};

// A lock as the monitor and F_GETLK show it.
struct Held {
  uint32_t inode = 0;
  LockKind kind = LockKind::kPosix;
  Owner owner;
  uint32_t pid = 0;
  LockRange range;
};

// Wait ids a change let through, in the order they were granted.
using Granted = std::vector<uint64_t>;

enum class Outcome { kGranted, kQueued };

class LockTable {
 public:
  // Applies `r`; an unlock always succeeds. On a conflict: kAgain when wait_id is 0;
  // otherwise the request waits under wait_id (kQueued), unless it is a POSIX request and
  // waiting would close a cycle of owners waiting for each other (kDeadlock). A flock of
  // another type than the owner's drops the owner's first, as Linux does, even if the new
  // one then fails.
  Result<Outcome> Lock(const Request& r, uint64_t wait_id, Granted& granted);
  // F_GETLK: the lock of another owner that `r` would conflict with (lowest start first).
  std::optional<Held> Test(const Request& r) const;
  // Removes a waiting request; false when none waits under that id.
  bool Cancel(uint64_t wait_id);
  // Every lock of `owner` of `kind` on `inode` goes (a close).
  void ReleaseOwner(uint32_t inode, LockKind kind, const Owner& owner, Granted& granted);
  // Every lock and waiting request of a session goes. Returns the wait ids removed.
  std::vector<uint64_t> DropSession(uint32_t session, Granted& granted);
  // A session's account of its locks after it resumed: a claim is kept when the session
  // held all of it (outside `grace`) or when no other owner's lock conflicts with it (in
  // `grace`, after a master start); the session's other locks go. Returns the indexes of
  // the claims not kept.
  std::vector<uint32_t> Reclaim(uint32_t session, const std::vector<protocol::HeldLock>& claims,
                                bool grace, Granted& granted);

  std::vector<Held> AllHeld() const;
  std::vector<std::pair<uint64_t, Request>> AllWaiting() const;
  // Sessions that hold a lock or wait for one.
  std::set<uint32_t> Sessions() const;
  size_t waiting() const { return waiting_.size(); }

 private:
  struct OwnerLocks {
    RangeSet ranges;
    uint32_t pid = 0;
  };
  struct Waiter {
    uint64_t id = 0;
    Request req;
  };
  struct File {
    std::map<Owner, OwnerLocks> held[2];  // by LockKind
    std::list<Waiter> waiters;
    bool empty() const { return held[0].empty() && held[1].empty() && waiters.empty(); }
  };
  static std::map<Owner, OwnerLocks>& Of(File& f, LockKind k) {
    return f.held[static_cast<size_t>(k)];
  }
  static const std::map<Owner, OwnerLocks>& Of(const File& f, LockKind k) {
    return f.held[static_cast<size_t>(k)];
  }
  // The first lock of another owner in `f` conflicting with `r`, if any.
  static std::optional<Held> FirstConflict(const File& f, const Request& r);
  static void Apply(File& f, const Request& r);
  // Grants the file's waiters that no longer conflict, in order.
  void Wake(uint32_t inode, Granted& granted);
  // Owners holding a POSIX lock that `r` conflicts with.
  std::set<Owner> Blockers(const Request& r) const;
  bool WouldDeadlock(const Request& r) const;
  void ForgetIfEmpty(uint32_t inode);

  std::unordered_map<uint32_t, File> files_;
  std::unordered_map<uint64_t, uint32_t> waiting_;  // wait id -> inode
};

}  // namespace elk::master::locks
