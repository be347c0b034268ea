#pragma once
// Test-only transports: ScriptedTransport answers from a fixed list (malformed answers
// without a network); FaultyTransport passes requests to a real one until told to fail
// them or to hang them (a paused process, a partition).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "master/ha/etcd_transport.h"

namespace elk::master::ha::testing {

class ScriptedTransport final : public EtcdTransport {
 public:
  void Push(Result<HttpAnswer> answer) { answers_.push_back(std::move(answer)); }
  Result<HttpAnswer> Post(const std::string& path, const std::string& body) override {
    last_path = path;
    last_body = body;
    if (answers_.empty()) return Status(Code::kCantConnect, "script ended");
    auto a = std::move(answers_.front());
    answers_.pop_front();
    return a;
  }
  std::string last_path, last_body;

 private:
  std::deque<Result<HttpAnswer>> answers_;
};

enum class Fault { kNone, kFail, kHang };

class FaultyTransport final : public EtcdTransport {
 public:
  explicit FaultyTransport(std::unique_ptr<EtcdTransport> real) : real_(std::move(real)) {}
  // Thread-safe; kNone releases hung requests (they then fail, as a late answer would be
  // useless to a paused process).
  std::atomic<int> keepalives{0};  // keep-alive requests asked for, failed ones included

  void Set(Fault f) {
    {
      std::lock_guard lock(mu_);
      fault_ = f;
    }
    cv_.notify_all();
  }
  Result<HttpAnswer> Post(const std::string& path, const std::string& body) override {
    if (path.ends_with("/lease/keepalive")) ++keepalives;
    {
      std::unique_lock lock(mu_);
      if (fault_ == Fault::kFail) return Status(Code::kCantConnect, "injected failure");
      if (fault_ == Fault::kHang) {
        cv_.wait_for(lock, std::chrono::seconds(60), [&] { return fault_ != Fault::kHang; });
        return Status(Code::kTimeout, "injected hang");
      }
    }
    return real_->Post(path, body);
  }

 private:
  std::unique_ptr<EtcdTransport> real_;
  std::mutex mu_;
  std::condition_variable cv_;
  Fault fault_ = Fault::kNone;
};

}  // namespace elk::master::ha::testing
