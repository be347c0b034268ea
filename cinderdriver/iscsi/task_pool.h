#pragma once
// A fixed set of threads running SCSI commands. Volume I/O blocks on the network (the
// master, the chunkservers), so commands run here, many at once, and the connection's
// reader thread goes on reading the next PDUs.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace elk::iscsi {

class TaskPool {
 public:
  explicit TaskPool(size_t threads);
  ~TaskPool();  // runs what was queued, then joins
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void Post(std::function<void()> task);

 private:
  void Work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace elk::iscsi
