// What master high availability costs and how fast it acts, with the real programs on
// loopback (test harness). Rates: mfsmaster alone, with one follower, with two followers
// (MASTER_FOLLOW; MASTER_SYNC_FOLLOWERS 1, the default, then 2); CLIENTS sessions create
// then unlink empty files for SECONDS each. Each follower's lag in records is sampled every
// 100 ms under the creates, two ways: lag_records of its monitor (renewed once a second, so
// a phase of SECONDS gives about SECONDS distinct samples) and how far its changelog's last
// record trails the leader's. The four setups' clusters run side by side, idle but for the
// one measured, and are measured in turn ROUNDS times, each round starting one setup later;
// each round is printed, then the median of the rounds.
// Then a private etcd and two masters in the election (MASTER_LEASE_TTL 2 s): the leader is
// killed -9 KILLS times, alternately, and the time from the kill to a mkdir answered
// through a session given both masters is measured; the killed one is started again (-a)
// and follows before the next kill. Prints median and max.
// Usage: failover_bench [KILLS=10] [SECONDS=5] [CLIENTS=4] [ROUNDS=3]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
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

struct Lag {
  uint64_t max = 0;
  uint64_t sum = 0;
  uint64_t samples = 0;
  void Add(uint64_t lag) {
    max = std::max(max, lag);
    sum += lag;
    ++samples;
  }
  void Merge(const Lag& other) {
    max = std::max(max, other.max);
    sum += other.sum;
    samples += other.samples;
  }
  double mean() const {
    return samples > 0 ? static_cast<double>(sum) / static_cast<double>(samples) : 0;
  }
};

// A follower's lag in records, two ways: what its monitor says (lag_records: the leader's
// version it knows of - the newest record received, or the leader's info sent every second -
// less its own), and the leader's changelog ahead of the follower's (what the leader wrote
// and the follower has not, records in flight included).
struct FollowerLag {
  Lag monitor;
  Lag changelog;
};

struct Rates {
  double creates = 0;
  double unlinks = 0;
  std::vector<FollowerLag> lags;  // one per follower
};

// The version of the last whole record of a changelog ("N: ..."), reading only its tail:
// read whole every 100 ms under thousands of creates a second, the files would cost the
// machine more than the masters do.
uint64_t TailVersion(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return 0;
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 8192);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.seekg(from);
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  const size_t end = tail.rfind('\n');
  if (end == std::string::npos || end == 0) return 0;
  const size_t begin = tail.rfind('\n', end - 1);
  return std::strtoull(tail.c_str() + (begin == std::string::npos ? 0 : begin + 1), nullptr, 10);
}

// One sample of every follower's lag into `lags`. The leader's changelog is read first, so
// a follower's may only have moved on meanwhile: the changelog lag is never overstated.
void SampleLags(const Cluster& c, std::vector<FollowerLag>& lags) {
  if (c.follower_count() == 0) return;
  const uint64_t leader = TailVersion(c.master_data() + "/changelog.0.mfs");
  for (int i = 0; i < c.follower_count(); ++i) {
    FollowerLag& l = lags[static_cast<size_t>(i)];
    const uint64_t ours = TailVersion(c.follower_data(i) + "/changelog.0.mfs");
    l.changelog.Add(leader > ours ? leader - ours : 0);
    l.monitor.Add(Info(c.follower_http_port(i)).value("lag_records", uint64_t{0}));
  }
}

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

// CLIENTS sessions, each in its own folder (named after `round`): creates for `seconds`, then
// unlinks what it made (for at most `seconds`); the followers' lag sampled while creating.
Rates Measure(const Cluster& c, int clients, int seconds, int round) {
  std::vector<std::unique_ptr<elk::client::MasterSession>> sessions;
  std::vector<uint32_t> dirs;
  for (int i = 0; i < clients; ++i) {
    auto s = elk::client::MasterSession::Open({.host = "127.0.0.1", .port = c.client_port()});
    if (!s.ok()) continue;
    auto d = (*s)->Mkdir(1, "r" + std::to_string(round) + "c" + std::to_string(i), 0755, 0, {});
    if (!d.ok()) continue;
    dirs.push_back(d->inode);
    sessions.push_back(std::move(*s));
  }
  std::vector<uint64_t> made(sessions.size(), 0);
  Rates r;
  r.lags.resize(static_cast<size_t>(c.follower_count()));
  r.creates = RunFor(
      sessions.size(), seconds,
      [&](size_t i, uint64_t n) {
        if (!sessions[i]->Create(dirs[i], "f" + std::to_string(n), 0644, 0, {}).ok()) return 0;
        made[i] = n + 1;
        return 1;
      },
      [&] { SampleLags(c, r.lags); });
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

// A cluster of the rates part: how many followers, and MASTER_SYNC_FOLLOWERS.
struct Setup {
  int followers = 0;
  int sync = 1;  // the default
};
constexpr Setup kSetups[] = {{0, 1}, {1, 1}, {2, 1}, {2, 2}};

// Every follower settled, and the leader counting `in_step` of them in its quorum (every
// follower that caught up counts, whatever MASTER_SYNC_FOLLOWERS asks): the measure starts
// with the leader waiting for as many followers as the setup says. A follower tells the
// leader its version only after it applied a record, so a change is made first.
bool AllSettled(const Cluster& c, uint64_t in_step) {
  for (int i = 0; i < c.follower_count(); ++i) {
    if (!Settled(c.http_port(), c.follower_http_port(i))) return false;
  }
  auto s = elk::client::MasterSession::Open({.host = "127.0.0.1", .port = c.client_port()});
  if (!s.ok() || !(*s)->Mkdir(1, "settled", 0755, 0, {}).ok()) return false;
  return elk::test::WaitFor(
      [&] { return Info(c.http_port()).value("sync_followers_in_step", uint64_t{0}) == in_step; },
      30s, 200ms);
}

// How often the leader left a follower out of MASTER_SYNC_FOLLOWERS for being too slow: a
// rate measured with one left out is not the rate of the setup.
int Dropped(const Cluster& c) {
  std::istringstream log(elk::test::ReadWholeFile(c.log("master")));
  int n = 0;
  for (std::string line; std::getline(log, line);)
    n += line.find("dropped from MASTER_SYNC_FOLLOWERS") != std::string::npos ? 1 : 0;
  return n;
}

std::string Label(const Setup& s) {
  if (s.followers == 0) return "master alone";
  char label[64];
  std::snprintf(label, sizeof label, "leader + %d follower%s, sync %d", s.followers,
                s.followers > 1 ? "s" : "", s.sync);
  return label;
}

void PrintLags(const std::vector<FollowerLag>& lags) {
  if (!lags.empty()) std::printf("   lag mean/max, records:");
  for (size_t i = 0; i < lags.size(); ++i) {
    const FollowerLag& l = lags[i];
    std::printf(" f%zu monitor %.1f/%llu changelog %.1f/%llu", i + 1, l.monitor.mean(),
                static_cast<unsigned long long>(l.monitor.max), l.changelog.mean(),
                static_cast<unsigned long long>(l.changelog.max));
  }
}

void PrintRound(int round, const Setup& s, const Rates& r) {
  std::printf("round %d  %-29s creates %6.0f /s  unlinks %6.0f /s", round + 1, Label(s).c_str(),
              r.creates, r.unlinks);
  PrintLags(r.lags);
  std::printf("\n");
}

// The median of the rounds, their range, and the lag over every round's samples.
void PrintSummary(const Setup& s, const std::vector<Rates>& rounds, int dropped) {
  std::vector<double> creates, unlinks;
  std::vector<FollowerLag> lags(static_cast<size_t>(s.followers));
  for (const Rates& r : rounds) {
    creates.push_back(r.creates);
    unlinks.push_back(r.unlinks);
    for (size_t i = 0; i < lags.size(); ++i) {
      lags[i].monitor.Merge(r.lags[i].monitor);
      lags[i].changelog.Merge(r.lags[i].changelog);
    }
  }
  std::sort(creates.begin(), creates.end());
  std::sort(unlinks.begin(), unlinks.end());
  std::printf("%-29s creates %6.0f /s (%.0f-%.0f)  unlinks %6.0f /s (%.0f-%.0f)", Label(s).c_str(),
              creates[creates.size() / 2], creates.front(), creates.back(),
              unlinks[unlinks.size() / 2], unlinks.front(), unlinks.back());
  PrintLags(lags);
  if (dropped > 0) std::printf("   (a follower left out of the count %d times)", dropped);
  std::printf("\n");
}

std::unique_ptr<Cluster> StartSetup(const Setup& s) {
  auto c = Cluster::Start({.chunkservers = 0,
                           .master_cfg = {{"MASTER_SYNC_FOLLOWERS", std::to_string(s.sync)}},
                           .followers = s.followers});
  if (!c.ok()) {
    std::fprintf(stderr, "failover_bench: %s\n", c.status().ToString().c_str());
    return nullptr;
  }
  if (!AllSettled(**c, s.sync > 0 ? static_cast<uint64_t>(s.followers) : 0)) {
    std::fprintf(stderr, "failover_bench: the followers did not catch up\n");
    return nullptr;
  }
  return std::move(*c);
}

// Every setup's cluster runs from the start, idle but for the one measured, and each round
// measures them all in turn, each round starting one setup later: on a shared machine a load
// that comes and goes then falls on every setup alike, and the medians compare.
int RatesPart(int seconds, int clients, int rounds) {
  std::vector<std::unique_ptr<Cluster>> clusters;
  for (const Setup& s : kSetups) {
    clusters.push_back(StartSetup(s));
    if (clusters.back() == nullptr) return 1;
  }
  std::vector<std::vector<Rates>> results(clusters.size());
  for (int round = 0; round < rounds; ++round) {
    for (size_t k = 0; k < clusters.size(); ++k) {
      const size_t i = (k + static_cast<size_t>(round)) % clusters.size();
      results[i].push_back(Measure(*clusters[i], clients, seconds, round));
      PrintRound(round, kSetups[i], results[i].back());
    }
  }
  std::printf("median of %d rounds (range):\n", rounds);
  for (size_t i = 0; i < clusters.size(); ++i)
    PrintSummary(kSetups[i], results[i], Dropped(*clusters[i]));
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
  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
  std::printf("failover_bench: %d clients, %d s per phase, %d rounds, %d kills\n", clients, seconds,
              rounds, kills);
  if (int rc = RatesPart(seconds, clients, rounds); rc != 0) return rc;
  return FailoverPart(kills);
}
