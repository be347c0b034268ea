#include "master/monitor/bounded_queue.h"

#include "common/log/log.h"

namespace elk::master::monitor {

BoundedQueue::BoundedQueue(size_t threads, size_t max_connections)
    : max_(std::max(max_connections, threads)) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    threads_.emplace_back([this] { Work(); });
}

BoundedQueue::~BoundedQueue() {
  shutdown();
}

void BoundedQueue::enqueue(std::function<void()> fn) {
  {
    std::unique_lock lock(mu_);
    if (jobs_.size() + busy_ < max_) {
      jobs_.push_back(std::move(fn));
      cv_.notify_one();
      return;
    }
    ++overflowed_;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log_ >= std::chrono::minutes(1)) {
      last_log_ = now;
      log::Warning(
          "monitor: {} HTTP connections open (HTTP_MAX_CONNECTIONS), new ones wait "
          "({} so far)",
          max_, overflowed_);
    }
  }
  fn();  // on the accept thread: no accept until it ends
}

void BoundedQueue::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    t.join();
}

size_t BoundedQueue::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

void BoundedQueue::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      fn = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
    }
    fn();
    std::lock_guard lock(mu_);
    --busy_;
  }
}

}  // namespace elk::master::monitor
