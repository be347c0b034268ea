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
  for (auto& p : batch) {
    auto conn = p.conn.lock();
    if (conn && conn->open()) (void)conn->SendFrame(std::move(p.frame), p.reserved);
  }
}

}  // namespace elk::master
