#pragma once
// The monitor's HTTP task queue: cpp-httplib's accept loop hands every accepted socket to a
// TaskQueue, and its own ThreadPool queues without bound, so a flood of idle connections
// would each hold a descriptor of the master (shared with the client and chunkserver
// ports) for as long as it waits for a thread. This queue holds at most `max_connections`
// connections, served or waiting; past that it serves the next one on the accept thread
// itself, so httplib stops accepting meanwhile and further connections wait in the
// kernel's listen backlog, not in the master's descriptor table. Hitting the cap is
// logged, at most once a minute.
//
// cpp-httplib 0.11 hands the queue a closure, not the socket, so the cap per address is
// GatedServer's (gated_server.h), applied when a thread takes the connection up: a refused
// one is answered 503 and closed at once, so it holds its slot only while it waits.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace elk::master::monitor {

class BoundedQueue : public httplib::TaskQueue {
 public:
  BoundedQueue(size_t threads, size_t max_connections);
  ~BoundedQueue() override;
  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // Connections served on the accept thread because the cap was reached.
  size_t overflowed() const;

 private:
  void Work();

  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  size_t busy_ = 0;
  size_t overflowed_ = 0;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_log_{};
  std::vector<std::thread> threads_;
};

}  // namespace elk::master::monitor
