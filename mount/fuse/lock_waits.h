#pragma once
// Where mfsmount's blocking lock requests wait (docs/locks.md): each on a thread of its own,
// never on a FUSE worker, so locks waiting for another mount cannot take every worker and
// stall this mount (libfuse runs at most 10). The thread replies to FUSE itself. At most
// `max` wait at once; one more is refused (ENOLCK).

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace elk::mount {

class LockWaits {
 public:
  explicit LockWaits(size_t max) : max_(max) {}
  ~LockWaits() { WaitAll(); }
  LockWaits(const LockWaits&) = delete;
  LockWaits& operator=(const LockWaits&) = delete;

  // Runs `job` on a new thread; false (and nothing run) when `max` already wait.
  bool Run(std::function<void()> job);
  // Returns once every job has returned.
  void WaitAll();
  size_t running() const;

 private:
  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  size_t running_ = 0;
};

}  // namespace elk::mount
