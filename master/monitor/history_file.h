#pragma once
// The charts' history on disk (DATA_PATH/stats.mfs, the name MooseFS keeps its chart data
// under), so a restarted master still shows the last 24 hours. Text, one point a line:
//
//   elkfs-stats 1 step 60
//   <time> <ops/s> <read B/s> <written B/s> <copies/s> <deletions/s>
//
// A file of another format (MooseFS's own stats.mfs, left in a data folder) or of another
// step is refused as a whole; the master then starts with empty charts and says why.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

std::string EncodeHistory(uint32_t step, const std::vector<HistoryPoint>& points);
Result<std::vector<HistoryPoint>> DecodeHistory(std::string_view text, uint32_t step);

}  // namespace elk::master::monitor
