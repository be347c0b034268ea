#pragma once
// The monitor's page (/): one self-contained HTML document (inline CSS and SVG, no scripts,
// no external assets) that a person reads at a glance. Every value from the cluster is
// HTML-escaped, so a client's self-description cannot inject markup.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "master/monitor/snapshot.h"

namespace elk::master::monitor {

// `sections`: MooseFS's mfs.cgi codes separated by '|' ("IN|CS"); empty: the whole page.
std::string RenderHtml(const Snapshot& s, std::string_view sections = {});

// Pieces, for the page and its tests.
std::string HtmlEscape(std::string_view text);
std::string HumanBytes(uint64_t bytes);          // "1.5 GiB"
std::string HumanDuration(uint32_t seconds);     // "3d 4h", "5m 2s"
std::string HumanRate(double bytes_per_second);  // "1.5 MiB/s"

// A line chart of one or more series over the same times (oldest first), for the history.
struct ChartSeries {
  std::string name;   // in the legend
  std::string color;  // an SVG colour, "#2a6"
  std::vector<double> values;
};
struct Chart {
  std::string title;
  std::vector<uint32_t> times;
  std::vector<ChartSeries> series;
  std::function<std::string(double)> label;  // a value as the axis shows it, "1.5 MiB/s"
  double floor = 1;                          // the top of the axis is at least this
  uint32_t step = 60;                        // seconds between points, for the note
};
// The chart as inline SVG; a short note when there are fewer than two points.
std::string ChartSvg(const Chart& chart);
// The page's three charts of the history: requests, bytes read and written, replication.
std::string HistoryCharts(const std::vector<HistoryPoint>& points, uint32_t step);

}  // namespace elk::master::monitor
