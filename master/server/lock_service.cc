#include "master/server/lock_service.h"

#include <algorithm>
#include <utility>

#include "common/log/log.h"

namespace elk::master {

namespace proto = protocol;

namespace {

constexpr size_t kMaxEarlyCancels = 1024;

locks::Request RequestOf(uint32_t session, const proto::CltomaLock& m) {
  locks::Request r{m.inode, m.kind, {session, m.owner}, m.pid, m.start, m.end, m.type};
  if (m.kind == proto::LockKind::kFlock) {
    r.start = 0;  // a flock covers the whole file, whatever the client sent
    r.end = elk::locks::kLockEnd;
  }
  return r;
}

}  // namespace

LockService::LockService(net::EventLoop& loop, LockServiceOptions options,
                         std::function<std::set<uint32_t>()> connected)
    : loop_(loop), options_(options), connected_(std::move(connected)) {
  tick_ = loop_.RunEvery(options_.tick, [this] { Tick(); });
}

LockService::~LockService() {
  if (tick_ != net::kNoTimer) loop_.Cancel(tick_);
}

void LockService::StartGrace(std::set<uint32_t> sessions) {
  if (options_.grace.count() == 0 || sessions.empty()) return;
  grace_ = true;
  grace_end_ = std::chrono::steady_clock::now() + options_.grace;
  to_reclaim_ = std::move(sessions);
  log::Info("locks: grace period of {} s for {} sessions to reclaim their locks",
            options_.grace.count(), to_reclaim_.size());
}

void LockService::EndGrace(const char* why) {
  if (!grace_) return;
  grace_ = false;
  to_reclaim_.clear();
  log::Info("locks: grace period over ({}); {} waiting requests go on", why, parked_.size());
  std::vector<Parked> parked = std::move(parked_);
  parked_.clear();
  for (Parked& p : parked)
    p.run();
}

void LockService::AnswerGranted(const locks::Granted& granted) {
  for (uint64_t id : granted) {
    auto it = waits_.find(id);
    if (it == waits_.end()) continue;
    Answer answer = std::move(it->second.answer);
    waits_.erase(it);
    answer(Status::Ok());
  }
}

bool LockService::TakeEarlyCancel(uint32_t session, uint64_t wait_id) {
  auto it = std::find(early_cancels_.begin(), early_cancels_.end(), std::pair{session, wait_id});
  if (it == early_cancels_.end()) return false;
  early_cancels_.erase(it);
  return true;
}

void LockService::Lock(const void* link, uint32_t session, const proto::CltomaLock& m,
                       Answer answer) {
  const bool wait = (m.flags & proto::kLockWait) != 0;
  if (m.start > m.end) return answer(Status(Code::kInval, "lock range ends before it starts"));
  if (wait && TakeEarlyCancel(session, m.wait_id))
    return answer(Status(Code::kInterrupted, "cancelled"));
  if (grace_ && m.type != proto::LockType::kUnlock) {
    // Only reclaims are granted until the holders from before the start are back.
    parked_.push_back({link, session, wait ? m.wait_id : 0,
                       [this, link, session, m, answer] { Lock(link, session, m, answer); },
                       answer});
    return;
  }
  locks::Granted granted;
  const uint64_t id = wait ? next_wait_++ : 0;
  auto outcome = table_.Lock(RequestOf(session, m), id, granted);
  if (outcome.ok() && *outcome == locks::Outcome::kQueued) {
    waits_[id] = Wait{link, session, m.wait_id, std::move(answer)};
  } else {
    answer(outcome.ok() ? Status::Ok() : outcome.status());
  }
  AnswerGranted(granted);
}

void LockService::Test(const void* link, uint32_t session, const proto::CltomaLockTest& m,
                       TestAnswer answer) {
  if (grace_) {
    // An answer now could miss a lock about to be reclaimed.
    parked_.push_back({link,
                       session,
                       0,
                       [this, link, session, m, answer] { Test(link, session, m, answer); },
                       {}});
    return;
  }
  const locks::Request r{m.inode, proto::LockKind::kPosix, {session, m.owner}, 0, m.start, m.end,
                         m.type};
  proto::MatoclLockTest reply{
      .msgid = m.msgid, .type = proto::LockType::kUnlock, .start = m.start, .end = m.end, .pid = 0};
  if (auto c = table_.Test(r)) {
    reply.type = c->range.type;
    reply.start = c->range.start;
    reply.end = c->range.end;
    reply.pid = c->pid;
  }
  answer(reply);
}

void LockService::Cancel(uint32_t session, uint64_t wait_id) {
  for (auto it = waits_.begin(); it != waits_.end(); ++it) {
    if (it->second.session != session || it->second.client_id != wait_id) continue;
    table_.Cancel(it->first);
    Answer answer = std::move(it->second.answer);
    waits_.erase(it);
    return answer(Status(Code::kInterrupted, "cancelled"));
  }
  for (auto it = parked_.begin(); it != parked_.end(); ++it) {
    if (it->session != session || it->client_id != wait_id || it->client_id == 0) continue;
    Answer answer = std::move(it->interrupted);
    parked_.erase(it);
    return answer(Status(Code::kInterrupted, "cancelled"));
  }
  if (early_cancels_.size() >= kMaxEarlyCancels) early_cancels_.erase(early_cancels_.begin());
  early_cancels_.emplace_back(session, wait_id);
}

void LockService::Release(uint32_t session, const proto::CltomaLockRelease& m) {
  locks::Granted granted;
  table_.ReleaseOwner(m.inode, m.kind, {session, m.owner}, granted);
  AnswerGranted(granted);
}

std::vector<uint32_t> LockService::Reclaim(uint32_t session,
                                           const std::vector<proto::HeldLock>& claims) {
  locks::Granted granted;
  std::vector<uint32_t> lost = table_.Reclaim(session, claims, grace_, granted);
  if (!lost.empty()) {
    log::Warning("locks: session {} reclaimed {} locks, {} of them not held", session,
                 claims.size(), lost.size());
  }
  AnswerGranted(granted);
  if (grace_ && to_reclaim_.erase(session) > 0 && to_reclaim_.empty()) {
    // Answered first: the reclaim's reply leaves before the parked requests' answers.
    loop_.Defer([this] { EndGrace("every session reclaimed"); });
  }
  return lost;
}

void LockService::LinkClosed(const void* link) {
  for (auto it = waits_.begin(); it != waits_.end();) {
    if (it->second.link != link) {
      ++it;
      continue;
    }
    table_.Cancel(it->first);
    it = waits_.erase(it);
  }
  std::erase_if(parked_, [link](const Parked& p) { return p.link == link; });
}

void LockService::DropSession(uint32_t session, const char* why) {
  locks::Granted granted;
  const std::vector<locks::Held> all = table_.AllHeld();
  const auto held = std::count_if(all.begin(), all.end(),
                                  [&](const locks::Held& h) { return h.owner.session == session; });
  for (uint64_t id : table_.DropSession(session, granted)) {
    auto it = waits_.find(id);
    if (it == waits_.end()) continue;
    Answer answer = std::move(it->second.answer);
    waits_.erase(it);
    answer(Status(Code::kBadSession, "the session lost its locks"));
  }
  quiet_since_.erase(session);
  if (held > 0) log::Info("locks: session {} {}: its {} locks released", session, why, held);
  AnswerGranted(granted);
}

uint32_t LockService::SessionOfWait(uint64_t id) const {
  auto it = waits_.find(id);
  return it == waits_.end() ? 0 : it->second.session;
}

void LockService::Tick() {
  const auto now = std::chrono::steady_clock::now();
  if (grace_ && now >= grace_end_) EndGrace("time is up");
  const std::set<uint32_t> with_locks = table_.Sessions();
  if (with_locks.empty()) {
    quiet_since_.clear();
    return;
  }
  const std::set<uint32_t> live = connected_();
  std::erase_if(quiet_since_, [&](const auto& kv) { return !with_locks.contains(kv.first); });
  for (uint32_t s : with_locks) {
    if (live.contains(s)) {
      quiet_since_.erase(s);
      continue;
    }
    auto [it, fresh] = quiet_since_.emplace(s, now);
    if (!fresh && now - it->second >= options_.session_timeout)
      DropSession(s, "has had no connection for LOCKS_SESSION_TIMEOUT");
  }
}

}  // namespace elk::master
