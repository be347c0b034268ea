#pragma once
// The chunkserver's I/O threads. ChunkStore calls are synchronous, so they run here, never
// on the network loop. Tasks carry a key (the chunk id): tasks with the same key run on the
// same thread in the order they were submitted, so the writes of one chunk never overtake
// each other, while different chunks proceed in parallel.
//
//   pool.Run(loop, chunkid, [=] { return store->Write(...); },
//            [=](Status s) { /* back on the loop thread */ });

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/net/event_loop.h"

namespace elk::chunkserver {

class IoPool {
 public:
  using Task = std::function<void()>;

  // `threads` >= 1. `name` goes into log lines.
  explicit IoPool(size_t threads);
  ~IoPool();  // Stop()
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Queues task on the thread that serves `key`. After Stop() tasks are dropped.
  void Submit(uint64_t key, Task task);
  // Runs work() on an I/O thread, then done(result) on `loop` (through Post). `done` is
  // skipped when `alive` has expired by then (its owner is gone).
  template <typename Work, typename Done>
  void Run(net::EventLoop& loop, std::weak_ptr<void> alive, uint64_t key, Work work, Done done) {
    Submit(key, [&loop, alive = std::move(alive), work = std::move(work),
                 done = std::move(done)]() mutable {
      auto result = std::make_shared<decltype(work())>(work());
      loop.Post([alive = std::move(alive), done = std::move(done), result]() mutable {
        if (alive.expired()) return;
        done(std::move(*result));
      });
    });
  }

  // Finishes the task each thread is running, drops the queued ones, joins. Idempotent.
  void Stop();
  size_t threads() const { return workers_.size(); }
  // Tasks queued or running, over all threads.
  size_t pending() const;

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Task> queue;
    bool running = false;
    bool stop = false;
    std::thread thread;
  };
  static void Loop(Worker& w);

  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace elk::chunkserver
