#include "master/server/chunk_loop.h"

#include <chrono>
#include <string>
#include <utility>

#include "common/log/log.h"

namespace elk::master {

ChunkLoop::ChunkLoop(net::EventLoop& loop, ChunkRegistry& registry, ChunkserverHub& hub,
                     replication::Config config, NowFn now)
    : loop_(loop), registry_(registry), hub_(hub), now_(std::move(now)), planner_(config, now_()) {}

ChunkLoop::~ChunkLoop() {
  loop_.Cancel(timer_);
  loop_.Cancel(progress_timer_);
}

void ChunkLoop::Stop() {
  loop_.Cancel(timer_);
  loop_.Cancel(progress_timer_);
  timer_ = progress_timer_ = net::kNoTimer;
}

void ChunkLoop::Start() {
  if (running()) return;
  auto interval = std::chrono::seconds(std::max<uint32_t>(1, planner_.config().tick_interval));
  timer_ = loop_.RunEvery(interval, [this] { Tick(); });
  progress_timer_ = loop_.RunEvery(progress_interval_, [this] { (void)ReportProgress(); });
}

std::string ChunkLoop::ReportProgress() {
  const uint32_t now = now_();
  under_goal_ = replication::CountUnderGoal(registry_);
  catch_up_.Observe(now, under_goal_.undergoal);
  std::string line = replication::CatchUpLogLine(catch_up_, under_goal_, in_flight(), now);
  // A catch-up that cannot move (fewer servers than the goal) would repeat the same line
  // every 10 s for ever: an unchanged line is logged again only every kRepeatQuiet.
  constexpr uint32_t kRepeatQuiet = 300;
  if (line.empty() || (line == last_line_ && now - last_line_at_ < kRepeatQuiet)) return "";
  log::Info("{}", line);
  last_line_ = line;
  last_line_at_ = now;
  return line;
}

size_t ChunkLoop::Tick() {
  uint32_t now = now_();
  registry_.ExpireOperations(now, planner_.config().operation_timeout);
  size_t sent = 0;
  for (const auto& action : planner_.Tick(registry_, now)) {
    if (Send(action)) sent++;
  }
  return sent;
}

bool ChunkLoop::Send(const replication::Action& a) {
  ChunkserverLink* link = hub_.Find(a.target);
  Status s = link != nullptr ? Status::Ok() : Status(Code::kDisconnected, "server not connected");
  if (s.ok() && a.kind == replication::ActionKind::kReplicate) {
    Location from = registry_.LocationOf(a.source);
    s = link->SendReplicate(a.chunk, a.version, {from.address});
  } else if (s.ok()) {
    s = link->SendDelete(a.chunk, a.version);
  }
  if (s.ok()) return true;
  log::Warning("chunk {:016X}: {} on server {} not sent: {}", a.chunk,
               a.kind == replication::ActionKind::kReplicate ? "replication" : "deletion", a.target,
               s.ToString());
  if (a.kind == replication::ActionKind::kReplicate) {
    (void)registry_.ReplicationDone(a.chunk, a.target, a.version, false);
  } else {
    (void)registry_.DeleteDone(a.chunk, a.target, false);
  }
  return false;
}

}  // namespace elk::master
