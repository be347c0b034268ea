#pragma once
// An EventLoop running on its own thread: for I/O threads, and for tests that drive a
// server with blocking clients from the test thread. Call() runs a function on the loop
// and waits for its result, so the loop's state is touched only from its thread.
//
//   LoopThread io;
//   ELK_RETURN_IF_ERROR(io.Start());
//   uint16_t port = io.Call([&] { return listener->port(); });

#include <future>
#include <memory>
#include <thread>
#include <type_traits>

#include "common/net/event_loop.h"
#include "common/status.h"

namespace elk::net {

class LoopThread {
 public:
  LoopThread() = default;
  ~LoopThread() { Stop(); }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  Status Start();
  // Stops the loop and joins the thread; idempotent. Objects living on the loop should be
  // destroyed first, through Call().
  void Stop();

  EventLoop& loop() { return *loop_; }

  // Runs fn on the loop thread and returns what it returns. Must not be called from the
  // loop thread itself (it would wait for itself).
  template <typename Fn>
  auto Call(Fn fn) -> std::invoke_result_t<Fn> {
    using R = std::invoke_result_t<Fn>;
    auto promise = std::make_shared<std::promise<R>>();
    std::future<R> result = promise->get_future();
    loop_->Post([promise, fn = std::move(fn)]() mutable {
      if constexpr (std::is_void_v<R>) {
        fn();
        promise->set_value();
      } else {
        promise->set_value(fn());
      }
    });
    return result.get();
  }

 private:
  std::unique_ptr<EventLoop> loop_;
  std::thread thread_;
};

}  // namespace elk::net
