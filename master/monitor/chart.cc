// The page's request-rate chart: a plain SVG polyline, scaled to the highest point.
#include <fmt/format.h>

#include <algorithm>

#include "master/monitor/html.h"

namespace elk::master::monitor {
namespace {

constexpr double kWidth = 720, kHeight = 160, kLeft = 50, kBottom = 20, kTop = 10;

}  // namespace

std::string OpsChartSvg(const std::vector<HistoryPoint>& points) {
  if (points.size() < 2) {
    return "<p class=note>The request-rate chart starts after two minutes of uptime.</p>";
  }
  double peak = 1;
  for (const HistoryPoint& p : points)
    peak = std::max(peak, p.ops_per_second);
  double t0 = points.front().time, span = std::max(1.0, points.back().time - t0);
  double plot_w = kWidth - kLeft - 5, plot_h = kHeight - kBottom - kTop;
  std::string line;
  for (const HistoryPoint& p : points) {
    double x = kLeft + (p.time - t0) / span * plot_w;
    double y = kTop + plot_h - p.ops_per_second / peak * plot_h;
    line += fmt::format("{:.1f},{:.1f} ", x, y);
  }
  return fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{0}' height='{1}' role='img' "
      "aria-label='client requests per second'>"
      "<rect x='{2}' y='{3}' width='{4:.0f}' height='{5:.0f}' fill='#fafafa' stroke='#ccc'/>"
      "<text x='2' y='{6}' font-size='11'>{7:.1f}/s</text>"
      "<text x='2' y='{8:.0f}' font-size='11'>0</text>"
      "<text x='{2}' y='{1}' font-size='11'>{9} ago</text>"
      "<polyline fill='none' stroke='#2a6' stroke-width='1.5' points='{10}'/></svg>",
      kWidth, kHeight, kLeft, kTop, plot_w, plot_h, kTop + 10, peak, kTop + plot_h,
      HumanDuration(static_cast<uint32_t>(span)), line);
}

}  // namespace elk::master::monitor
