#pragma once
// The monitor's page (/): one self-contained HTML document (inline CSS and SVG, no scripts,
// no external assets) that a person reads at a glance. Every value from the cluster is
// HTML-escaped, so a client's self-description cannot inject markup.

#include <string>
#include <string_view>
#include <vector>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

std::string RenderHtml(const Snapshot& s);

// Pieces, for the page and its tests.
std::string HtmlEscape(std::string_view text);
std::string HumanBytes(uint64_t bytes);       // "1.5 GiB"
std::string HumanDuration(uint32_t seconds);  // "3d 4h", "5m 2s"
// A line chart of requests per second; a short note when there are fewer than two points.
std::string OpsChartSvg(const std::vector<HistoryPoint>& points);

}  // namespace elk::master::monitor
