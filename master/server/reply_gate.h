#pragma once
// The durability gate: a reply to a client leaves only after the changelog records of the
// loop turn that produced it are committed.
//
// A guard (set_guard) is asked before each commit: a master in an election must hold its
// lease when it acknowledges. Refused, the turn's replies are dropped uncommitted and
// on_refused runs (the master closes its clients); nothing is stopped.
//
// Every reply is queued here, not sent. The first reply of a turn Defer()s one step to
// the end of that turn, which calls commit() once (Metadata::Commit) and then sends every
// queued reply in order. If commit fails nothing is acknowledged: on_failure runs (the
// server logs and closes its client connections) and the queued replies are dropped.
// Replies keep their order per connection, reads included (a read answered after a
// mutation never overtakes it).
//
// A queued reply is reserved on its connection at once (Connection::Reserve), so it counts
// against that connection's high water while it waits here: a client that pipelines
// requests and does not read its answers stops being read after a few megabytes of
// replies, instead of having thousands built in one turn; past the hard limit it is closed.
//
// With followers to wait for (set_sync, MASTER_SYNC_FOLLOWERS), a committed turn's replies
// are held until enough followers have committed its version too (Release, when their
// MLTOMA_APPLIED comes), in turn order; a turn held longer than the time-out has the
// followers it waits for dropped from the count (Sync::expire) and goes.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "common/log/log.h"
#include "common/net/connection.h"
#include "common/net/event_loop.h"
#include "common/protocol/codec.h"
#include "common/status.h"

namespace elk::master {

class ReplyGate {
 public:
  ReplyGate(net::EventLoop& loop, std::function<Status()> commit,
            std::function<void(const Status&)> on_failure);

  // Queues an encoded frame for conn.
  void Send(const std::shared_ptr<net::Connection>& conn, std::vector<uint8_t> frame);

  template <typename M>
  void Reply(const std::shared_ptr<net::Connection>& conn, const M& msg) {
    auto frame = protocol::EncodeFrame(msg);
    if (!frame.ok()) {
      log::Error("cannot encode {}: {}", protocol::TypeName(M::kType), frame.status().ToString());
      return;
    }
    Send(conn, std::move(*frame));
  }

  // Asked before every commit; a non-ok answer withholds the turn's replies (on_refused).
  void set_guard(std::function<Status()> guard, std::function<void(const Status&)> on_refused) {
    guard_ = std::move(guard);
    on_refused_ = std::move(on_refused);
  }

  struct Sync {
    std::function<uint64_t()> version;            // the metadata version once committed
    std::function<bool(uint64_t version)> holds;  // may a change at `version` be acknowledged
    // A change at `version` has waited since `since`: drop the followers it waits for once
    // past the time-out; true when the count changed.
    std::function<bool(uint64_t version, net::Clock::time_point since)> expire;
    std::chrono::milliseconds check{50};  // how often a waiting turn asks expire
  };
  void set_sync(Sync sync) { sync_ = std::move(sync); }
  // Sends the held turns that may go now.
  void Release();

  // Commits and sends now (a clean stop flushes what is queued).
  void Flush();
  size_t held() const { return held_.size(); }
  uint64_t refusals() const { return refusals_; }
  size_t pending() const { return pending_.size(); }
  uint64_t commits() const { return commits_; }

 private:
  struct Pending {
    std::weak_ptr<net::Connection> conn;
    std::vector<uint8_t> frame;
    size_t reserved = 0;
  };

  net::EventLoop& loop_;
  std::function<Status()> commit_;
  std::function<void(const Status&)> on_failure_;
  std::function<Status()> guard_;
  std::function<void(const Status&)> on_refused_;
  struct HeldTurn {
    uint64_t version = 0;
    net::Clock::time_point since;
    std::vector<Pending> replies;
  };
  static void SendAll(std::vector<Pending>& batch);
  void WatchHeld();

  std::vector<Pending> pending_;
  Sync sync_;
  std::deque<HeldTurn> held_;
  net::TimerId held_timer_ = net::kNoTimer;
  bool scheduled_ = false;
  uint64_t commits_ = 0;
  uint64_t refusals_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace elk::master
