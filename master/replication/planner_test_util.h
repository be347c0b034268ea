#pragma once
// A planner over a hand-made cluster, with every delay off and a full pass per tick
// unless a test says otherwise.

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <vector>

#include "master/chunks/test_cluster.h"
#include "master/replication/planner.h"

namespace elk::master::replication {

inline constexpr uint32_t kStart = 1000;

inline void PrintTo(const Action& a, std::ostream* os) {
  *os << (a.kind == ActionKind::kReplicate ? "Replicate" : "Delete") << "(chunk " << a.chunk << " v"
      << a.version << " reason " << static_cast<int>(a.reason) << " " << a.source << "->"
      << a.target << ")";
}

class PlannerTest : public ::testing::Test {
 protected:
  static Config QuickConfig() {
    Config c;
    c.chunks_loop_time = 1;
    c.tick_interval = 1;
    c.replications_delay_init = 0;
    c.replications_delay_disconnect = 0;
    return c;
  }
  static RegistryConfig Seeded() {
    RegistryConfig c;
    c.rng_seed = 7;
    return c;
  }
  std::vector<Action> Tick(uint32_t now = kStart) { return planner_.Tick(reg_, now); }
  ServerId Server(uint32_t n, uint64_t used_gib = 10) {
    return master::testing::AddServer(reg_, n, used_gib);
  }
  void Chunk(ChunkId id, uint8_t goal, std::initializer_list<ServerId> servers) {
    master::testing::AddChunk(reg_, id, goal, servers);
  }
  static Action Rep(ChunkId id, ServerId from, ServerId to, Reason r = Reason::kUnderGoal) {
    return {ActionKind::kReplicate, r, id, 1, from, to};
  }
  static Action Del(ChunkId id, ServerId on, Reason r, uint32_t version = 1) {
    return {ActionKind::kDelete, r, id, version, kNoServer, on};
  }
  static size_t Count(const std::vector<Action>& actions, ActionKind kind) {
    return static_cast<size_t>(std::count_if(actions.begin(), actions.end(),
                                             [&](const Action& a) { return a.kind == kind; }));
  }

  ChunkRegistry reg_{Seeded()};
  Config config_ = QuickConfig();
  Planner planner_{config_, kStart};
};

}  // namespace elk::master::replication
