#include "common/net/loop_thread.h"

#include "common/log/log.h"

namespace elk::net {

Status LoopThread::Start() {
  if (loop_) return Status(Code::kExist, "LoopThread already started");
  auto loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  thread_ = std::thread([loop = loop_.get()] {
    if (Status s = loop->Run(); !s.ok()) log::Error("event loop thread: {}", s.ToString());
  });
  return Status::Ok();
}

void LoopThread::Stop() {
  if (!thread_.joinable()) return;
  loop_->Stop();
  thread_.join();
  // Run what was posted or deferred meanwhile (a closing connection's on_close, say), on
  // this thread which is now the only one.
  (void)loop_->RunOnce(std::chrono::milliseconds(0));
}

}  // namespace elk::net
