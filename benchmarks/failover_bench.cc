// What master high availability costs and how fast it acts, with the real programs on
// loopback (test harness): mfsmaster alone, then with a follower (MASTER_FOLLOW), CLIENTS
// sessions creating then unlinking empty files for SECONDS each - the rates, and the
// follower's lag in records sampled from its monitor every 100 ms under the creates. Then a
// private etcd and two masters in the election (MASTER_LEASE_TTL 2 s): the leader is killed
// -9 KILLS times, alternately, and the time from the kill to a mkdir answered through a
// session given both masters is measured; the killed one is started again (-a) and follows
// before the next kill. Prints median and max.
// Usage: failover_bench [KILLS=10] [SECONDS=5] [CLIENTS=4]
// Two followers are not measured: the harness starts one.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "master/ha/test_etcd.h"
#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"
#include "tests/harness/poll.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using elk::test::Cluster;
using nlohmann::json;

json Info(uint16_t http) {
  return elk::test::MonitorInfo(http, 1s, 2s);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

struct Rates {
  double creates = 0;
  double unlinks = 0;
  uint64_t max_lag = 0;
  double mean_lag = 0;
};

// Runs op(session index, n) for n = 0, 1, ... on one thread per session until `seconds` pass
// or every thread's op returned false for "nothing left"; `sample` is called every 100 ms.
// Returns the successful operations per second.
double RunFor(size_t sessions, int seconds, const std::function<int(size_t, uint64_t)>& op,
              const std::function<void()>& sample) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::atomic<size_t> finished{0};
  std::vector<std::thread> workers;
  const auto t0 = Clock::now();
  for (size_t i = 0; i < sessions; ++i) {
    workers.emplace_back([&, i] {
      for (uint64_t n = 0; !stop; ++n) {
        const int r = op(i, n);  // 1 done, 0 failed, -1 nothing left
        if (r < 0) break;
        done += static_cast<uint64_t>(r);
      }
      ++finished;
    });
  }
  while (Seconds(t0) < seconds && finished < sessions) {
    std::this_thread::sleep_for(100ms);
    sample();
  }
  stop = true;
  for (auto& w : workers)
    w.join();
  return static_cast<double>(done.load()) / Seconds(t0);
}

// CLIENTS sessions, each in its own folder: creates for `seconds`, then unlinks what it made
// (for at most `seconds`); the follower's lag sampled while creating.
Rates Measure(const Cluster& c, int clients, int seconds, uint16_t follower_http) {
  std::vector<std::unique_ptr<elk::client::MasterSession>> sessions;
  std::vector<uint32_t> dirs;
  for (int i = 0; i < clients; ++i) {
    auto s = elk::client::MasterSession::Open({.host = "127.0.0.1", .port = c.client_port()});
    if (!s.ok()) continue;
    auto d = (*s)->Mkdir(1, "c" + std::to_string(i), 0755, 0, {});
    if (!d.ok()) continue;
    dirs.push_back(d->inode);
    sessions.push_back(std::move(*s));
  }
  std::vector<uint64_t> made(sessions.size(), 0);
  Rates r;
  uint64_t sum = 0, samples = 0;
  r.creates = RunFor(
      sessions.size(), seconds,
      [&](size_t i, uint64_t n) {
        if (!sessions[i]->Create(dirs[i], "f" + std::to_string(n), 0644, 0, {}).ok()) return 0;
        made[i] = n + 1;
        return 1;
      },
      [&] {
        if (follower_http == 0) return;
        const uint64_t lag = Info(follower_http).value("lag_records", uint64_t{0});
        r.max_lag = std::max(r.max_lag, lag);
        sum += lag;
        ++samples;
      });
  r.mean_lag = samples > 0 ? static_cast<double>(sum) / static_cast<double>(samples) : 0;
  r.unlinks = RunFor(
      sessions.size(), seconds,
      [&](size_t i, uint64_t n) {
        if (n >= made[i]) return -1;
        return sessions[i]->Unlink(dirs[i], "f" + std::to_string(n), {}).ok() ? 1 : 0;
      },
      [] {});
  return r;
}

// Until `leader_http` leads with the other following it, nothing left to apply.
bool Settled(uint16_t leader_http, uint16_t follower_http) {
  return elk::test::WaitFor(
      [&] {
        const json l = Info(leader_http), f = Info(follower_http);
        return l.value("role", "") == "leader" && f.value("role", "") == "follower" &&
               f.value("leader_connected", false) && f.value("lag_records", 1) == 0;
      },
      60s, 200ms);
}

void PrintRates(const char* label, const Rates& r, bool lag) {
  std::printf("%-22s creates %8.0f /s   unlinks %8.0f /s", label, r.creates, r.unlinks);
  if (lag)
    std::printf("   follower lag mean %.0f, max %llu records", r.mean_lag,
                static_cast<unsigned long long>(r.max_lag));
  std::printf("\n");
}

int RatesPart(int seconds, int clients) {
  for (bool follower : {false, true}) {
    auto c = Cluster::Start({.chunkservers = 0, .follower = follower});
    if (!c.ok()) {
      std::fprintf(stderr, "failover_bench: %s\n", c.status().ToString().c_str());
      return 1;
    }
    if (follower && !Settled((*c)->http_port(), (*c)->follower_http_port())) {
      std::fprintf(stderr, "failover_bench: the follower did not catch up\n");
      return 1;
    }
    const Rates r = Measure(**c, clients, seconds, follower ? (*c)->follower_http_port() : 0);
    PrintRates(follower ? "leader + 1 follower" : "master alone", r, follower);
  }
  std::printf("%-22s not measured (the test harness starts one follower)\n",
              "leader + 2 followers");
  return 0;
}

int FailoverPart(int kills) {
  auto etcd = elk::master::ha::testing::EtcdServer::Start();
  if (!etcd.ok()) {
    std::fprintf(stderr, "failover_bench: etcd: %s\n", etcd.status().ToString().c_str());
    return 1;
  }
  auto c = Cluster::Start({.chunkservers = 0,
                           .master_cfg = {{"ETCD_ENDPOINTS", (*etcd)->url()},
                                          {"ETCD_PREFIX", "/elkfs-bench/"},
                                          {"MASTER_LEASE_TTL", "2"}},
                           .follower = true,
                           .elected = true,
                           .peers_at_both = true});
  if (!c.ok()) {
    std::fprintf(stderr, "failover_bench: %s\n", c.status().ToString().c_str());
    return 1;
  }
  Cluster& cl = **c;
  if (!Settled(cl.http_port(), cl.follower_http_port())) {
    std::fprintf(stderr, "failover_bench: no leader with a follower\n");
    return 1;
  }
  const std::string both = "127.0.0.1:" + std::to_string(cl.client_port()) +
                           ",127.0.0.1:" + std::to_string(cl.follower_client_port());
  auto s = elk::client::MasterSession::Open({.host = both, .reconnect_max = 250ms});
  if (!s.ok()) {
    std::fprintf(stderr, "failover_bench: session: %s\n", s.status().ToString().c_str());
    return 1;
  }
  std::vector<double> times;
  bool first_leads = true;
  for (int k = 0; k < kills; ++k) {
    const auto killed = Clock::now();
    first_leads ? cl.KillMaster() : cl.KillFollower();
    bool made = false;
    while (!made && Seconds(killed) < 60)
      made = (*s)->Mkdir(1, "k" + std::to_string(k), 0755, 0, {}).ok();
    times.push_back(Seconds(killed));
    std::printf("kill %2d: a mkdir answered %.2f s after the kill -9%s\n", k + 1, times.back(),
                made ? "" : " (NOT answered within 60 s)");
    const auto restarted = first_leads ? cl.StartMaster(true) : cl.StartFollower(true);
    const bool settled =
        restarted.ok() && (first_leads ? Settled(cl.follower_http_port(), cl.http_port())
                                       : Settled(cl.http_port(), cl.follower_http_port()));
    if (!settled) {
      std::fprintf(stderr, "failover_bench: the killed master did not come back to follow\n");
      return 1;
    }
    first_leads = !first_leads;
  }
  std::sort(times.begin(), times.end());
  std::printf("fail-over (lease 2 s, %d kills): median %.2f s, max %.2f s\n", kills,
              times[times.size() / 2], times.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int kills = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10;
  const int seconds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const int clients = argc > 3 ? std::max(1, std::atoi(argv[3])) : 4;
  std::printf("failover_bench: %d clients, %d s per phase, %d kills\n", clients, seconds, kills);
  if (int rc = RatesPart(seconds, clients); rc != 0) return rc;
  return FailoverPart(kills);
}
