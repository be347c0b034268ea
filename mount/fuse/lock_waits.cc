#include "mount/fuse/lock_waits.h"

#include <thread>

namespace elk::mount {

bool LockWaits::Run(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (running_ >= max_) return false;
    ++running_;
  }
  // Detached: WaitAll, not a join, tells the owner when every job is over.
  std::thread([this, job = std::move(job)]() mutable {
    job();
    job = nullptr;  // what it captured goes before the owner may
    std::lock_guard lock(mu_);
    if (--running_ == 0) done_.notify_all();
  }).detach();
  return true;
}

void LockWaits::WaitAll() {
  std::unique_lock lock(mu_);
  done_.wait(lock, [this] { return running_ == 0; });
}

size_t LockWaits::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

}  // namespace elk::mount
