#include "master/chunks/placement.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace elk::master {
namespace {

struct Candidate {
  ServerId id;
  uint32_t usage_bucket;
  uint32_t load;
  uint64_t tie;  // random, so equal servers share the work
};

bool Excluded(ServerId id, std::span<const ServerId> exclude) {
  return std::find(exclude.begin(), exclude.end(), id) != exclude.end();
}

}  // namespace

Status NoChunkserverConnected() {
  return Status(Code::kNotStarted, "no chunkserver is connected yet");
}

bool CanTakeCopy(const ChunkServer& server, const PlacementConfig& config) {
  return server.connected && !server.marked_for_removal && server.total_bytes > 0 &&
         server.usage() <= config.max_usage && server.load <= config.max_load;
}

Result<std::vector<ServerId>> ChooseServers(const ServerTable& servers, uint32_t count,
                                            std::span<const ServerId> exclude,
                                            const PlacementConfig& config, std::mt19937_64& rng) {
  std::vector<Candidate> candidates;
  const double step = config.usage_step > 0 ? config.usage_step : 1e-9;
  for (const ChunkServer& s : servers.all()) {
    if (!CanTakeCopy(s, config) || Excluded(s.id, exclude)) continue;
    const auto bucket = static_cast<uint32_t>(std::floor(s.usage() / step));
    candidates.push_back({s.id, bucket, s.load, rng()});
  }
  if (candidates.empty()) {
    // None connected is not "full": a master just started or elected waits for them to
    // register (their MASTER_TIMEOUT and reconnection delay), and clients wait with it.
    if (servers.connected_count() == 0) return NoChunkserverConnected();
    return Status(Code::kNoChunkServers, "no chunkserver can take a copy");
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.usage_bucket, a.load, a.tie) < std::tie(b.usage_bucket, b.load, b.tie);
  });
  std::vector<ServerId> chosen;
  for (const Candidate& c : candidates) {
    if (chosen.size() == count) break;
    chosen.push_back(c.id);
  }
  return chosen;
}

}  // namespace elk::master
