#pragma once
// The chunk loop: every tick_interval seconds the replication planner picks what to
// copy and delete, and this sends those commands to the chunkservers. An action whose
// server is not connected fails at once (the registry is told, so its copy is not left
// busy). Operations unanswered for operation_timeout count as failed.

#include <cstdint>

#include "common/net/event_loop.h"
#include "master/chunks/registry.h"
#include "master/replication/planner.h"
#include "master/server/chunkserver_link.h"

namespace elk::master {

class ChunkLoop {
 public:
  ChunkLoop(net::EventLoop& loop, ChunkRegistry& registry, ChunkserverHub& hub,
            replication::Config config, NowFn now);
  ~ChunkLoop();
  ChunkLoop(const ChunkLoop&) = delete;
  ChunkLoop& operator=(const ChunkLoop&) = delete;

  void Start();
  // One tick (the timer calls it; tests may too). Returns how many commands were sent.
  size_t Tick();
  const replication::Planner& planner() const { return planner_; }

 private:
  bool Send(const replication::Action& action);

  net::EventLoop& loop_;
  ChunkRegistry& registry_;
  ChunkserverHub& hub_;
  NowFn now_;
  replication::Planner planner_;
  net::TimerId timer_ = net::kNoTimer;
};

}  // namespace elk::master
