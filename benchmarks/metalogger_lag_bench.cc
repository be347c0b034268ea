// How far a metalogger trails the master under a create-heavy load, with the real programs
// on loopback (test harness: mfsmaster + mfsmetalogger): CLIENTS sessions create empty files
// as fast as they can for SECONDS; every 100 ms the master's and the metalogger's last
// changelog versions are read from their files. Prints the master's records per second, the
// metalogger's lag (records and the time the lag represents), and how long it takes to catch
// up once the load stops. Usage: metalogger_lag_bench [CLIENTS=4] [SECONDS=10]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The version of the last whole record in a changelog file: reads only its tail.
uint64_t LastVersion(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return 0;
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 8192);
  in.seekg(from);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  uint64_t last = 0;
  size_t at = 0;
  while (at < tail.size()) {
    const size_t nl = tail.find('\n', at);
    if (nl == std::string::npos) break;  // a record still being written
    if (at > 0 || from == 0) {           // skip the first, maybe partial, line of the tail
      const uint64_t v = std::strtoull(tail.c_str() + at, nullptr, 10);
      if (v > 0) last = v;
    }
    at = nl + 1;
  }
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  const int clients = argc > 1 ? std::atoi(argv[1]) : 4;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  auto cluster = elk::test::Cluster::Start(
      {.chunkservers = 0, .metalogger = true, .master_cfg = {{"CHANGELOG_SYNC", "0"}}});
  if (!cluster.ok()) {
    std::fprintf(stderr, "metalogger_lag_bench: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  const std::string master_log = (*cluster)->master_data() + "/changelog.0.mfs";
  const std::string ml_log = (*cluster)->metalogger_data() + "/changelog_ml.0.mfs";
  std::this_thread::sleep_for(1s);  // the metalogger registers and takes the image

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> created{0};
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c) {
    workers.emplace_back([&, c] {
      auto s = elk::client::MasterSession::Open(
          {.host = "127.0.0.1", .port = (*cluster)->client_port()});
      if (!s.ok()) return;
      auto dir = (*s)->Mkdir(1, "c" + std::to_string(c), 0755, 0, {});
      if (!dir.ok()) return;
      for (uint64_t i = 0; !stop; ++i)
        if ((*s)->Create(dir->inode, "f" + std::to_string(i), 0644, 0, {}).ok()) ++created;
    });
  }
  const uint64_t v0 = LastVersion(master_log);
  const auto t0 = Clock::now();
  uint64_t max_lag = 0, sum_lag = 0, samples = 0;
  while (Clock::now() - t0 < std::chrono::seconds(seconds)) {
    std::this_thread::sleep_for(100ms);
    const uint64_t m = LastVersion(master_log), l = LastVersion(ml_log);
    const uint64_t lag = m > l ? m - l : 0;
    max_lag = std::max(max_lag, lag);
    sum_lag += lag;
    ++samples;
  }
  stop = true;
  for (auto& w : workers)
    w.join();
  const double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const uint64_t v1 = LastVersion(master_log);
  const auto t1 = Clock::now();
  while (LastVersion(ml_log) < v1 && Clock::now() - t1 < 60s)
    std::this_thread::sleep_for(10ms);
  const double catch_up_ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  const double rate = static_cast<double>(v1 - v0) / load_s;
  const double mean_lag = samples ? static_cast<double>(sum_lag) / static_cast<double>(samples) : 0;
  std::printf("metalogger_lag_bench: %d clients creating files for %d s (CHANGELOG_SYNC = 0)\n",
              clients, seconds);
  std::printf("master records     %10.0f /s  (%llu files created)\n", rate,
              static_cast<unsigned long long>(created.load()));
  std::printf("metalogger lag     mean %.0f, max %llu records (%.1f ms / %.1f ms of load)\n",
              mean_lag, static_cast<unsigned long long>(max_lag), mean_lag / rate * 1000,
              static_cast<double>(max_lag) / rate * 1000);
  std::printf("caught up          %.0f ms after the load stopped%s\n", catch_up_ms,
              LastVersion(ml_log) < v1 ? " (NOT caught up within 60 s)" : "");
  return 0;
}
