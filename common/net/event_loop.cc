#include "common/net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "common/log/log.h"

namespace elk::net {
namespace {

// epoll_event.data carries (generation << 32 | fd) so that an event for an fd that was
// unwatched - and perhaps reused by a new watch - in the same batch is recognised as stale.
constexpr uint64_t kWakeToken = ~uint64_t{0};
constexpr int kMaxEventsPerWait = 256;
// Deferred tasks may defer more; after this many rounds the rest waits for the next
// iteration (which then does not sleep), so a task that re-defers itself cannot starve I/O.
constexpr int kMaxDeferredRounds = 16;

uint32_t ToEpoll(uint32_t interest) {
  uint32_t ev = 0;
  if (interest & kReadable) ev |= EPOLLIN;
  if (interest & kWritable) ev |= EPOLLOUT;
  return ev;
}

uint32_t FromEpoll(uint32_t ev) {
  uint32_t ready = 0;
  if (ev & (EPOLLIN | EPOLLPRI)) ready |= kReadable;
  if (ev & EPOLLOUT) ready |= kWritable;
  if (ev & EPOLLHUP) ready |= kHangup;
  if (ev & EPOLLERR) ready |= kError;
  return ready;
}

uint64_t Token(uint32_t generation, int fd) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::Create() {
  UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep.valid()) return Status::FromErrno(errno, "epoll_create1");
  UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) return Status::FromErrno(errno, "eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeToken;
  if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, wake.get(), &ev) != 0) {
    return Status::FromErrno(errno, "epoll_ctl(eventfd)");
  }
  return std::unique_ptr<EventLoop>(new EventLoop(std::move(ep), std::move(wake)));
}

EventLoop::EventLoop(UniqueFd epoll, UniqueFd wake)
    : epoll_(std::move(epoll)), wake_(std::move(wake)) {}

EventLoop::~EventLoop() = default;

Status EventLoop::Watch(int fd, uint32_t interest, IoCallback cb) {
  if (fd < 0 || !cb) return Status(Code::kInval, "Watch: bad fd or empty callback");
  if (watches_.count(fd)) return Status(Code::kExist, fmt::format("fd {} already watched", fd));
  uint32_t generation = next_generation_++;
  if (next_generation_ == 0) next_generation_ = 1;
  epoll_event ev{};
  ev.events = ToEpoll(interest);
  ev.data.u64 = Token(generation, fd);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Status::FromErrno(errno, "epoll_ctl ADD");
  }
  watches_[fd] = WatchState{generation, interest, std::make_shared<IoCallback>(std::move(cb))};
  return Status::Ok();
}

Status EventLoop::SetInterest(int fd, uint32_t interest) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) return Status(Code::kNotFound, fmt::format("fd {} not watched", fd));
  if (it->second.interest == interest) return Status::Ok();
  epoll_event ev{};
  ev.events = ToEpoll(interest);
  ev.data.u64 = Token(it->second.generation, fd);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) {
    return Status::FromErrno(errno, "epoll_ctl MOD");
  }
  it->second.interest = interest;
  return Status::Ok();
}

void EventLoop::Unwatch(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  // The fd may already be closed by its owner (which removes it from epoll); ignore errors.
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(it);
}

TimerId EventLoop::RunAfter(Clock::duration delay, Task task) {
  return AddTimer(delay, Clock::duration::zero(), std::move(task));
}

TimerId EventLoop::RunEvery(Clock::duration interval, Task task) {
  // A zero interval would make a repeating timer due forever; one microsecond is the floor.
  return AddTimer(interval, std::max<Clock::duration>(interval, std::chrono::microseconds(1)),
                  std::move(task));
}

TimerId EventLoop::AddTimer(Clock::duration delay, Clock::duration interval, Task task) {
  TimerId id = next_timer_++;
  TimerState& t = timers_[id];
  t.task = std::make_shared<Task>(std::move(task));
  t.interval = interval;
  Schedule(id, t, Clock::now() + std::max(delay, Clock::duration::zero()));
  return id;
}

void EventLoop::Schedule(TimerId id, TimerState& timer, Clock::time_point when) {
  timer.when = when;
  timer.seq = next_seq_++;
  heap_.push(HeapEntry{when, timer.seq, id});
}

void EventLoop::Cancel(TimerId id) {
  if (timers_.erase(id) == 0) return;
  // Cancelled entries stay in the heap until due; rebuild when they dominate it, so
  // connections that set and cancel long timeouts cannot grow it without bound.
  if (heap_.size() > 64 && heap_.size() > 2 * timers_.size()) CompactTimerHeap();
}

void EventLoop::CompactTimerHeap() {
  std::vector<HeapEntry> live;
  live.reserve(timers_.size());
  for (const auto& [id, t] : timers_)
    live.push_back(HeapEntry{t.when, t.seq, id});
  heap_ = decltype(heap_)(std::greater<>(), std::move(live));
}

void EventLoop::Defer(Task task) {
  deferred_.push_back(std::move(task));
}

void EventLoop::Post(Task task) {
  bool was_empty;
  {
    std::lock_guard lock(posted_mu_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(task));
  }
  if (was_empty) Wake();
}

void EventLoop::Stop() noexcept {
  stop_.store(true);
  Wake();
}

void EventLoop::Wake() noexcept {
  const int saved_errno = errno;  // a signal handler must leave errno as it found it
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof(one));
  errno = saved_errno;
}

void EventLoop::DrainWake() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(wake_.get(), &count, sizeof(count));
}

Status EventLoop::Run() {
  while (!stop_.exchange(false)) {
    ELK_RETURN_IF_ERROR(RunOnce(std::chrono::hours(1)));
  }
  return Status::Ok();
}

int EventLoop::WaitMillis(Clock::duration max_wait) const {
  if (!deferred_.empty()) return 0;
  Clock::duration wait = max_wait;
  if (!heap_.empty()) wait = std::min(wait, heap_.top().when - Clock::now());
  if (wait <= Clock::duration::zero()) return 0;
  // Round up: waking a little late is harmless, waking early would spin until due.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<int64_t>(ms, 24 * 3600 * 1000));
}

Status EventLoop::RunOnce(Clock::duration max_wait) {
  loop_thread_.store(std::this_thread::get_id());
  std::array<epoll_event, kMaxEventsPerWait> events;
  int n = ::epoll_wait(epoll_.get(), events.data(), kMaxEventsPerWait, WaitMillis(max_wait));
  if (n < 0 && errno != EINTR) return Status::FromErrno(errno, "epoll_wait");
  // Deferred work runs after each phase, so "soon" never reaches past a foreign task.
  for (int i = 0; i < n; ++i)
    Dispatch(events[i].data.u64, events[i].events);
  RunDeferred();
  RunDueTimers();
  RunDeferred();
  RunPosted();
  RunDeferred();
  return Status::Ok();
}

void EventLoop::Dispatch(uint64_t data, uint32_t events) {
  if (data == kWakeToken) {
    DrainWake();
    return;
  }
  int fd = static_cast<int>(data & 0xffffffffu);
  auto it = watches_.find(fd);
  if (it == watches_.end() || it->second.generation != (data >> 32)) return;  // stale
  // Hold the callback: it may unwatch its own fd, which destroys the map's copy.
  std::shared_ptr<IoCallback> cb = it->second.callback;
  (*cb)(FromEpoll(events));
}

void EventLoop::RunDueTimers() {
  const Clock::time_point now = Clock::now();
  // Collect first, then run: a timer set by a callback waits for the next iteration.
  std::vector<TimerId> due;
  while (!heap_.empty() && heap_.top().when <= now) {
    HeapEntry e = heap_.top();
    heap_.pop();
    auto it = timers_.find(e.id);
    if (it == timers_.end() || it->second.seq != e.seq) continue;  // cancelled or moved
    due.push_back(e.id);
    if (it->second.interval > Clock::duration::zero()) {
      Clock::time_point next = e.when + it->second.interval;
      if (next <= now) next = now + it->second.interval;
      Schedule(e.id, it->second, next);
    }
  }
  for (TimerId id : due) {
    // Look up again: an earlier callback of this batch may have cancelled this one.
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;
    // Hold the task: the callback may cancel its own timer.
    std::shared_ptr<Task> task = it->second.task;
    if (it->second.interval == Clock::duration::zero()) timers_.erase(it);
    (*task)();
  }
}

void EventLoop::RunPosted() {
  std::vector<Task> tasks;
  {
    std::lock_guard lock(posted_mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks)
    task();
}

void EventLoop::RunDeferred() {
  for (int round = 0; round < kMaxDeferredRounds && !deferred_.empty(); ++round) {
    std::vector<Task> tasks;
    tasks.swap(deferred_);
    for (auto& task : tasks)
      task();
  }
}

}  // namespace elk::net
