#pragma once
// Where new copies go: for new chunks and for replication targets.
//
// A server can take a copy when it is connected, not marked for removal, not fuller than
// `max_usage`, not busier than `max_load`, and holds no copy of the chunk already (never
// two copies on one server). Among those, emptier servers (by used/total, compared in
// steps of `usage_step` so small differences do not pile every chunk on one server) come
// first, then less loaded ones; equals are ordered by the injected random generator.

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "common/status.h"
#include "master/chunks/server.h"

namespace elk::master {

struct PlacementConfig {
  double max_usage = 0.99;   // a server beyond this used/total ratio is full
  uint32_t max_load = 1000;  // a server with more operations under way is overloaded
  double usage_step = 0.02;  // usage ratios closer than this count as equal
};

// Up to `count` distinct servers, best first, none of them in `exclude`. Fewer when fewer
// can take a copy (the caller creates as many copies as it can, as MooseFS does);
// kNoChunkServers when none can, NoChunkserverConnected() when none is connected.
Result<std::vector<ServerId>> ChooseServers(const ServerTable& servers, uint32_t count,
                                            std::span<const ServerId> exclude,
                                            const PlacementConfig& config, std::mt19937_64& rng);

// kNotStarted (EAGAIN): no chunkserver is connected, as after a start or an election until
// they register. Not an answer of a full cluster: clients wait for it longer
// (docs/failover.md, "Chunkservers not back yet").
Status NoChunkserverConnected();

// Whether `server` could take a new copy at all (ignoring which chunk).
bool CanTakeCopy(const ChunkServer& server, const PlacementConfig& config);

}  // namespace elk::master
