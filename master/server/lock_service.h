#pragma once
// The master's side of file locks (docs/locks.md): the lock table, the clients' requests
// waiting in it, the grace period after a start, and the locks of sessions gone quiet. Loop
// thread only.
//
// A waiting request is answered when granted (ok), cancelled (kInterrupted) or when its
// session loses its locks; a request of a connection that closes is forgotten without an
// answer (the client sends it again after it resumes its session).
//
// Locks live in memory only. After a start with sessions to resume, new lock requests and
// tests wait for the grace period (LOCKS_GRACE_TIME) while the mounts give back the locks
// they hold (CLTOMA_LOCKS_RECLAIM); it ends early once every known session has done so. A
// session with locks and no connection for LOCKS_SESSION_TIMEOUT loses them.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "common/net/event_loop.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"
#include "common/status.h"
#include "master/locks/lock_table.h"

namespace elk::master {

struct LockServiceOptions {
  std::chrono::seconds grace{20};            // LOCKS_GRACE_TIME; 0: no grace period
  std::chrono::seconds session_timeout{30};  // LOCKS_SESSION_TIMEOUT
  std::chrono::milliseconds tick{1000};      // how often quiet sessions are looked for
};

class LockService {
 public:
  using Answer = std::function<void(const Status&)>;
  using TestAnswer = std::function<void(const protocol::MatoclLockTest&)>;
  // `connected`: the sessions that have an owner's connection now.
  LockService(net::EventLoop& loop, LockServiceOptions options,
              std::function<std::set<uint32_t>()> connected);
  ~LockService();
  LockService(const LockService&) = delete;
  LockService& operator=(const LockService&) = delete;

  // At start: `sessions` (those loaded from sessions.mfs) may reclaim their locks; new
  // requests wait until they all have, or the grace period is over.
  void StartGrace(std::set<uint32_t> sessions);
  bool in_grace() const { return grace_; }

  // `link` identifies the connection, whose waits go when it closes (LinkClosed).
  void Lock(const void* link, uint32_t session, const protocol::CltomaLock& m, Answer answer);
  void Test(const void* link, uint32_t session, const protocol::CltomaLockTest& m,
            TestAnswer answer);
  void Cancel(uint32_t session, uint64_t wait_id);
  void Release(uint32_t session, const protocol::CltomaLockRelease& m);
  // The indexes of the claims the session does not hold (MATOCL_LOCKS_RECLAIM).
  std::vector<uint32_t> Reclaim(uint32_t session, const std::vector<protocol::HeldLock>& claims);
  void LinkClosed(const void* link);
  // The session is gone (expired, or quiet too long): its locks and waits go.
  void DropSession(uint32_t session, const char* why);

  const locks::LockTable& table() const { return table_; }
  // The waiting requests' client wait ids, by table wait id (the monitor).
  uint32_t SessionOfWait(uint64_t id) const;

 private:
  struct Wait {
    const void* link = nullptr;
    uint32_t session = 0;
    uint64_t client_id = 0;
    Answer answer;
  };
  struct Parked {
    const void* link = nullptr;
    uint32_t session = 0;
    uint64_t client_id = 0;  // a parked CLTOMA_LOCK with kLockWait (0: none)
    std::function<void()> run;
    Answer interrupted;  // how a cancel answers it
  };
  void AnswerGranted(const locks::Granted& granted);
  bool TakeEarlyCancel(uint32_t session, uint64_t wait_id);
  void Tick();
  void EndGrace(const char* why);

  net::EventLoop& loop_;
  LockServiceOptions options_;
  std::function<std::set<uint32_t>()> connected_;
  net::TimerId tick_ = net::kNoTimer;
  locks::LockTable table_;
  std::map<uint64_t, Wait> waits_;  // by the table's wait id
  uint64_t next_wait_ = 1;
  // Cancels that came before their request (both may cross a reconnect): that request is
  // answered kInterrupted when it comes. Bounded; oldest forgotten first.
  std::vector<std::pair<uint32_t, uint64_t>> early_cancels_;
  bool grace_ = false;
  std::chrono::steady_clock::time_point grace_end_{};
  std::set<uint32_t> to_reclaim_;
  std::vector<Parked> parked_;
  std::map<uint32_t, std::chrono::steady_clock::time_point> quiet_since_;
};

}  // namespace elk::master
