#include "master/server/reply_gate.h"

#include <utility>

namespace elk::master {

ReplyGate::ReplyGate(net::EventLoop& loop, std::function<Status()> commit,
                     std::function<void(const Status&)> on_failure)
    : loop_(loop), commit_(std::move(commit)), on_failure_(std::move(on_failure)) {}

void ReplyGate::Send(const std::shared_ptr<net::Connection>& conn, std::vector<uint8_t> frame) {
  if (!conn || !conn->Reserve(frame.size()).ok()) return;  // closed, or now closed
  const size_t reserved = frame.size();
  pending_.push_back({conn, std::move(frame), reserved});
  if (scheduled_) return;
  scheduled_ = true;
  std::weak_ptr<bool> alive = alive_;
  loop_.Defer([this, alive] {
    if (alive.expired()) return;
    Flush();
  });
}

void ReplyGate::Flush() {
  scheduled_ = false;
  std::vector<Pending> batch;
  batch.swap(pending_);
  if (guard_) {
    // Checked before the commit: an old leader neither acknowledges nor logs the turn's
    // records. They stay pending: committed if this master leads again from this state,
    // set aside by the image when it follows another leader.
    if (Status s = guard_(); !s.ok()) {
      refusals_++;
      if (on_refused_) on_refused_(s);
      return;
    }
  }
  if (Status s = commit_(); !s.ok()) {
    log::Error("changelog commit failed, {} replies withheld: {}", batch.size(), s.ToString());
    on_failure_(s);
    return;
  }
  commits_++;
  if (sync_.holds) {
    const uint64_t version = sync_.version();
    if (!held_.empty() || !sync_.holds(version)) {
      held_.push_back({version, net::Clock::now(), std::move(batch)});
      WatchHeld();
      return;
    }
  }
  SendAll(batch);
}

void ReplyGate::SendAll(std::vector<Pending>& batch) {
  for (auto& p : batch) {
    auto conn = p.conn.lock();
    if (conn && conn->open()) (void)conn->SendFrame(std::move(p.frame), p.reserved);
  }
}

void ReplyGate::Release() {
  if (guard_ && !held_.empty() && !guard_().ok()) {
    held_.clear();  // no longer the leader: what waited is not acknowledged
    return;
  }
  while (!held_.empty() && sync_.holds(held_.front().version)) {
    SendAll(held_.front().replies);
    held_.pop_front();
  }
  if (held_.empty() && held_timer_ != net::kNoTimer) {
    loop_.Cancel(held_timer_);
    held_timer_ = net::kNoTimer;
  }
}

void ReplyGate::WatchHeld() {
  if (held_timer_ != net::kNoTimer) return;
  held_timer_ = loop_.RunEvery(sync_.check, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired() || held_.empty()) return;
    if (sync_.expire(held_.front().version, held_.front().since)) Release();
  });
}

}  // namespace elk::master
