#include "chunkserver/server/io_pool.h"

#include <algorithm>

namespace elk::chunkserver {

IoPool::IoPool(size_t threads) {
  threads = std::max<size_t>(threads, 1);
  for (size_t i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    Worker* raw = w.get();
    w->thread = std::thread([raw] { Loop(*raw); });
    workers_.push_back(std::move(w));
  }
}

IoPool::~IoPool() { Stop(); }

void IoPool::Submit(uint64_t key, Task task) {
  // Mix the key so consecutive chunk ids spread over the threads.
  const uint64_t h = (key ^ (key >> 29)) * 0x9E3779B97F4A7C15ull;
  Worker& w = *workers_[(h >> 32) % workers_.size()];
  {
    std::lock_guard lock(w.mu);
    if (w.stop) return;
    w.queue.push_back(std::move(task));
  }
  w.cv.notify_one();
}

void IoPool::Loop(Worker& w) {
  std::unique_lock lock(w.mu);
  for (;;) {
    w.cv.wait(lock, [&w] { return w.stop || !w.queue.empty(); });
    if (w.stop) return;
    Task task = std::move(w.queue.front());
    w.queue.pop_front();
    w.running = true;
    lock.unlock();
    task();
    task = nullptr;  // captured state dies on this thread, outside the lock
    lock.lock();
    w.running = false;
  }
}

void IoPool::Stop() {
  for (auto& w : workers_) {
    std::lock_guard lock(w->mu);
    w->stop = true;
    w->queue.clear();
  }
  for (auto& w : workers_) {
    w->cv.notify_all();
    if (w->thread.joinable()) w->thread.join();
  }
}

size_t IoPool::pending() const {
  size_t n = 0;
  for (const auto& w : workers_) {
    std::lock_guard lock(w->mu);
    n += w->queue.size() + (w->running ? 1 : 0);
  }
  return n;
}

}  // namespace elk::chunkserver
