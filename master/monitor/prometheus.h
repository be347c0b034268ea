#pragma once
// /metrics: the snapshot in Prometheus' text exposition format (version 0.0.4). Every
// family has its # HELP and # TYPE lines; names start with elkfs_; label values are escaped.

#include <string>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string RenderPrometheus(const Snapshot& s);

}  // namespace elk::master::monitor
