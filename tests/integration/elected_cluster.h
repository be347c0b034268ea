#pragma once
// What the etcd fail-over tests share: a private etcd and a cluster whose two masters are in
// its election (MASTER_LEASE_TTL 2 s), two chunkservers and a mount; the monitors read;
// the masters' and the metalogger's files compared. The first master starts first, so it
// leads when SetUp is done, and the second follows it with nothing left to apply.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "master/ha/test_etcd.h"
#include "tests/harness/cluster.h"

namespace elk::test {

using Clock = std::chrono::steady_clock;

// The monitor's /api/v1/info (an empty object from a master paused or gone), its role.
nlohmann::json Info(uint16_t http_port);
std::string Role(uint16_t http_port);
double SecondsSince(Clock::time_point t);

// SIGCONT on scope exit unless `pid` was set to 0: a failed assertion never leaves a
// stopped master behind (the harness's SIGTERM would wait on it).
struct ContinueOnExit {
  pid_t pid;
  ~ContinueOnExit() {
    if (pid > 0) ::kill(pid, SIGCONT);
  }
};

class ElectedClusterTest : public ::testing::Test {
 protected:
  // Starts etcd and the cluster: `o` says what the test adds (a metalogger, where the peers
  // point); the election, both masters and the mount are filled in. Keys under `prefix`.
  // ELKFS_KEEP in the environment keeps the cluster's folder.
  void StartElected(const std::string& prefix, ClusterOptions o);
  // Until the leader has both chunkservers and the mount, and the other follows it with
  // nothing left to apply (the monitors publish a snapshot a second).
  void WaitSettled(uint16_t leader_http, uint16_t follower_http);
  // The metalogger (once it has the leader's version) and both masters' folders rebuild
  // the same metadata (mfsmetarestore + mfsmetadump of a copy of each).
  void ExpectSameMetadata(bool first_leads);

  uint16_t LeaderHttp(bool first_leads) const;
  uint16_t OtherHttp(bool first_leads) const;

  std::unique_ptr<master::ha::testing::EtcdServer> etcd_;
  std::unique_ptr<Cluster> cluster_;
};

}  // namespace elk::test
