#pragma once
// The single-threaded epoll loop every ElkFS server runs on.
//
// One thread calls Run() (or RunOnce()); every callback runs on that thread. Only Post()
// and Stop() may be called from other threads (Stop() also from a signal handler).
//
// epoll is LEVEL-triggered: a callback that leaves data unread is called again on the next
// iteration, so a busy peer can be served in bounded slices without starving the others.
//
// Callbacks must not throw. The loop does not catch: an exception escaping a callback is a
// bug and terminates the process (every callback is reached through noexcept code paths).
//
// The loop must outlive everything registered with it (watches, timers, connections).
//
//   auto loop = EventLoop::Create();
//   (*loop)->RunEvery(std::chrono::seconds(1), [] { log::Info("tick"); });
//   (*loop)->Run();

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/net/unique_fd.h"
#include "common/status.h"

namespace elk::net {

using Clock = std::chrono::steady_clock;
using TimerId = uint64_t;
inline constexpr TimerId kNoTimer = 0;

// Interest bits for Watch(), and the ready bits handed to an IoCallback.
inline constexpr uint32_t kReadable = 1;
inline constexpr uint32_t kWritable = 2;
inline constexpr uint32_t kHangup = 4;  // ready only: the peer closed both directions
inline constexpr uint32_t kError = 8;   // ready only: read SO_ERROR for the reason

class EventLoop {
 public:
  using IoCallback = std::function<void(uint32_t ready)>;
  using Task = std::function<void()>;

  static Result<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // --- loop thread only ---

  // Calls cb(ready) while fd is ready for `interest` (kReadable | kWritable, or 0 to keep
  // it registered but quiet; hang-ups and errors are reported regardless).
  Status Watch(int fd, uint32_t interest, IoCallback cb);
  Status SetInterest(int fd, uint32_t interest);
  // Safe from inside any callback, including fd's own; no event for fd is delivered after.
  void Unwatch(int fd);

  // Timers on the monotonic clock. Timers due at the same instant fire in the order they
  // were set. A repeating timer keeps its phase; if the loop falls behind it fires once and
  // moves on rather than bursting.
  TimerId RunAfter(Clock::duration delay, Task task);
  TimerId RunEvery(Clock::duration interval, Task task);
  // Cancelling an unknown, fired or cancelled id does nothing. Safe from inside the timer.
  void Cancel(TimerId id);

  // Runs task on this loop after the current batch of events, before waiting again. Use it
  // to act "soon but not inside this call" (the connection flushes its writes this way, so
  // frames queued while handling one batch leave in one writev).
  void Defer(Task task);

  // Runs until Stop(). Stop() before Run() makes Run() return at once (no lost wake-up);
  // the stop request is consumed, so Run() may be called again.
  Status Run();
  // One iteration: waits at most max_wait for events, then runs what is due.
  Status RunOnce(Clock::duration max_wait);

  // --- any thread ---

  // Queues task to run on the loop thread and wakes the loop.
  void Post(Task task);
  // Async-signal-safe: an atomic store and a write(2) on an eventfd.
  void Stop() noexcept;
  bool InLoopThread() const { return loop_thread_.load() == std::this_thread::get_id(); }

  size_t watch_count() const { return watches_.size(); }
  size_t timer_count() const { return timers_.size(); }

 private:
  struct WatchState {
    uint32_t generation = 0;
    uint32_t interest = 0;
    std::shared_ptr<IoCallback> callback;
  };
  struct TimerState {
    std::shared_ptr<Task> task;
    Clock::duration interval{};  // zero: one-shot
    Clock::time_point when;
    uint64_t seq = 0;
  };
  struct HeapEntry {
    Clock::time_point when;
    uint64_t seq;
    TimerId id;
    bool operator>(const HeapEntry& o) const {
      return when != o.when ? when > o.when : seq > o.seq;
    }
  };

  EventLoop(UniqueFd epoll, UniqueFd wake);
  TimerId AddTimer(Clock::duration delay, Clock::duration interval, Task task);
  void Schedule(TimerId id, TimerState& timer, Clock::time_point when);
  int WaitMillis(Clock::duration max_wait) const;
  void Dispatch(uint64_t data, uint32_t events);
  void RunDueTimers();
  void RunPosted();
  void RunDeferred();
  void DrainWake();
  void Wake() noexcept;
  void CompactTimerHeap();

  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd: Post() and Stop() write, the loop reads
  std::atomic<bool> stop_{false};
  std::atomic<std::thread::id> loop_thread_{};

  std::unordered_map<int, WatchState> watches_;
  uint32_t next_generation_ = 1;

  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
  std::unordered_map<TimerId, TimerState> timers_;
  TimerId next_timer_ = 1;
  uint64_t next_seq_ = 1;

  std::vector<Task> deferred_;

  std::mutex posted_mu_;
  std::vector<Task> posted_;  // guarded by posted_mu_
};

}  // namespace elk::net
