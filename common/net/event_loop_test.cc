#include "common/net/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "common/net/loop_thread.h"

namespace elk::net {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status().ToString();
  return std::move(*loop);
}

// Runs the loop until pred() holds or `limit` passes; returns pred().
template <typename Pred>
bool RunUntil(EventLoop& loop, Pred pred, milliseconds limit = milliseconds(3000)) {
  const auto deadline = Clock::now() + limit;
  while (!pred() && Clock::now() < deadline) {
    EXPECT_TRUE(loop.RunOnce(milliseconds(10)).ok());
  }
  return pred();
}

TEST(EventLoop, TimersFireInDeadlineOrder) {
  auto loop = NewLoop();
  std::vector<int> fired;
  const auto start = Clock::now();
  // Spaced widely, so a slow (sanitised, loaded) machine cannot reorder them while they
  // are being set.
  loop->RunAfter(milliseconds(150), [&] { fired.push_back(3); });
  loop->RunAfter(milliseconds(50), [&] { fired.push_back(1); });
  loop->RunAfter(milliseconds(100), [&] { fired.push_back(2); });
  // Same deadline: the order they were set in.
  loop->RunAfter(milliseconds(0), [&] { fired.push_back(-2); });
  loop->RunAfter(milliseconds(0), [&] { fired.push_back(-1); });
  ASSERT_TRUE(RunUntil(*loop, [&] { return fired.size() == 5; }));
  EXPECT_GE(Clock::now() - start, milliseconds(150));
  EXPECT_EQ(fired, (std::vector<int>{-2, -1, 1, 2, 3}));
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, RepeatingTimerRepeatsUntilCancelledFromItself) {
  auto loop = NewLoop();
  int count = 0;
  TimerId id = kNoTimer;
  id = loop->RunEvery(milliseconds(5), [&] {
    if (++count == 4) loop->Cancel(id);
  });
  ASSERT_TRUE(RunUntil(*loop, [&] { return count >= 4; }));
  RunUntil(
      *loop, [] { return false; }, milliseconds(40));
  EXPECT_EQ(count, 4);
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, CancelledTimerNeverFires) {
  auto loop = NewLoop();
  bool fired = false;
  TimerId later = loop->RunAfter(milliseconds(5), [&] { fired = true; });
  // Due in the same batch but cancelled by an earlier timer of that batch.
  loop->RunAfter(milliseconds(1), [&] { loop->Cancel(later); });
  loop->Cancel(kNoTimer);
  ::usleep(10000);
  RunUntil(
      *loop, [] { return false; }, milliseconds(30));
  EXPECT_FALSE(fired);
}

TEST(EventLoop, ManyCancelledTimersDoNotAccumulate) {
  auto loop = NewLoop();
  for (int i = 0; i < 10000; ++i)
    loop->Cancel(loop->RunAfter(std::chrono::hours(1), [] {}));
  EXPECT_EQ(loop->timer_count(), 0u);
  EXPECT_TRUE(loop->RunOnce(milliseconds(0)).ok());
}

TEST(EventLoop, PostFromAnotherThreadRunsOnTheLoopThread) {
  auto loop = NewLoop();
  std::atomic<int> ran{0};
  std::thread::id ran_on;
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        loop->Post([&] {
          ran_on = std::this_thread::get_id();
          ++ran;
        });
      }
    });
  }
  for (auto& t : posters)
    t.join();
  ASSERT_TRUE(RunUntil(*loop, [&] { return ran.load() == 1000; }));
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_TRUE(loop->InLoopThread());
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
  auto loop = NewLoop();
  std::thread stopper([&] {
    ::usleep(20000);
    loop->Stop();
  });
  const auto start = Clock::now();
  EXPECT_TRUE(loop->Run().ok());
  stopper.join();
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  // A Stop() before Run() is not lost.
  loop->Stop();
  EXPECT_TRUE(loop->Run().ok());
}

EventLoop* g_signal_loop = nullptr;
extern "C" void StopOnSignal(int) {
  g_signal_loop->Stop();
}

TEST(EventLoop, StopFromASignalHandler) {
  auto loop = NewLoop();
  g_signal_loop = loop.get();
  struct sigaction sa {};
  sa.sa_handler = StopOnSignal;
  struct sigaction old {};
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
  loop->RunAfter(milliseconds(10), [] { ::raise(SIGUSR1); });
  EXPECT_TRUE(loop->Run().ok());
  ::sigaction(SIGUSR1, &old, nullptr);
  g_signal_loop = nullptr;
}

TEST(EventLoop, WatchesPipeAndUnwatchInsideCallback) {
  auto loop = NewLoop();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  int calls = 0;
  ASSERT_TRUE(loop->Watch(r.get(), kReadable,
                          [&](uint32_t ready) {
                            EXPECT_TRUE(ready & kReadable);
                            ++calls;
                            loop->Unwatch(r.get());
                          })
                  .ok());
  EXPECT_EQ(loop->Watch(r.get(), kReadable, [](uint32_t) {}).code(), Code::kExist);
  ASSERT_EQ(::write(w.get(), "x", 1), 1);
  // Level-triggered: the byte stays unread, yet no call comes after the unwatch.
  RunUntil(
      *loop, [] { return false; }, milliseconds(50));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop->watch_count(), 0u);
}

TEST(EventLoop, WriteInterestCanBeSwitchedOnAndOff) {
  auto loop = NewLoop();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  int writable = 0;
  ASSERT_TRUE(loop->Watch(w.get(), 0,
                          [&](uint32_t ready) {
                            if (ready & kWritable) ++writable;
                          })
                  .ok());
  RunUntil(
      *loop, [] { return false; }, milliseconds(20));
  EXPECT_EQ(writable, 0);
  ASSERT_TRUE(loop->SetInterest(w.get(), kWritable).ok());
  ASSERT_TRUE(RunUntil(*loop, [&] { return writable > 0; }));
  ASSERT_TRUE(loop->SetInterest(w.get(), 0).ok());
  int seen = writable;
  RunUntil(
      *loop, [] { return false; }, milliseconds(20));
  EXPECT_EQ(writable, seen);
  loop->Unwatch(w.get());
}

TEST(EventLoop, DeferRunsAfterTheCurrentCallbackBeforeSleeping) {
  auto loop = NewLoop();
  std::vector<int> order;
  loop->RunAfter(milliseconds(0), [&] {
    loop->Defer([&] { order.push_back(2); });
    order.push_back(1);
  });
  ASSERT_TRUE(RunUntil(*loop, [&] { return order.size() == 2; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  // A task that defers itself forever does not starve timers.
  bool timer = false;
  std::function<void()> again = [&] { loop->Defer(again); };
  loop->Defer(again);
  loop->RunAfter(milliseconds(5), [&] { timer = true; });
  EXPECT_TRUE(RunUntil(*loop, [&] { return timer; }));
}

TEST(LoopThread, CallReturnsValueFromTheLoopThread) {
  LoopThread io;
  ASSERT_TRUE(io.Start().ok());
  auto id = io.Call([] { return std::this_thread::get_id(); });
  EXPECT_NE(id, std::this_thread::get_id());
  EXPECT_TRUE(io.Call([&] { return io.loop().InLoopThread(); }));
  io.Stop();
  io.Stop();
}

}  // namespace
}  // namespace elk::net
