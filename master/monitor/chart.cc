// The page's charts: one function draws any number of series over the same times as plain
// SVG polylines, scaled to the highest point, with a legend and the axis in the series' unit.
#include <fmt/format.h>

#include <algorithm>

#include "master/monitor/html.h"

namespace elk::master::monitor {
namespace {

constexpr double kWidth = 720, kHeight = 170, kLeft = 74, kRight = 6, kBottom = 20, kTop = 24;

// The polyline of one series; `peak` is the value drawn at the top.
std::string Line(const std::vector<uint32_t>& times, const std::vector<double>& values,
                 double peak) {
  const double t0 = times.front(), span = std::max(1.0, times.back() - t0);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kBottom - kTop;
  std::string points;
  for (size_t i = 0; i < times.size() && i < values.size(); i++) {
    const double x = kLeft + (times[i] - t0) / span * plot_w;
    const double y = kTop + plot_h - std::max(0.0, values[i]) / peak * plot_h;
    points += fmt::format("{:.1f},{:.1f} ", x, y);
  }
  return points;
}

// Colour swatches and names at the top right, right to left.
std::string Legend(const std::vector<ChartSeries>& series) {
  std::string out;
  double x = kWidth - kRight;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    x -= 7.0 * static_cast<double>(it->name.size()) + 22;
    out += fmt::format(
        "<rect x='{:.0f}' y='6' width='12' height='4' fill='{}'/>"
        "<text x='{:.0f}' y='12' font-size='11'>{}</text>",
        x, it->color, x + 16, HtmlEscape(it->name));
  }
  return out;
}

}  // namespace

std::string ChartSvg(const Chart& c) {
  if (c.times.size() < 2) {
    return fmt::format(
        "<p class=note>{}: no chart yet (a point is taken every {}; two are needed).</p>",
        HtmlEscape(c.title), HumanDuration(c.step));
  }
  double peak = c.floor;
  for (const ChartSeries& s : c.series)
    for (double v : s.values)
      peak = std::max(peak, v);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kBottom - kTop;
  std::string out = fmt::format(
      "<svg xmlns='http://www.w3.org/2000/svg' width='{0}' height='{1}' role='img' "
      "aria-label='{2}'><text x='2' y='12' font-size='12' font-weight='bold'>{2}</text>"
      "<rect x='{3}' y='{4}' width='{5:.0f}' height='{6:.0f}' fill='#fafafa' stroke='#ccc'/>"
      "<line x1='{3}' y1='{7:.0f}' x2='{8:.0f}' y2='{7:.0f}' stroke='#e4e4e4'/>"
      "<text x='2' y='{9:.0f}' font-size='11'>{10}</text>"
      "<text x='2' y='{11:.0f}' font-size='11'>{12}</text>"
      "<text x='2' y='{13:.0f}' font-size='11'>0</text>"
      "<text x='{3}' y='{1}' font-size='11'>{14} ago</text>"
      "<text x='{8:.0f}' y='{1}' font-size='11' text-anchor='end'>now</text>",
      kWidth, kHeight, HtmlEscape(c.title), kLeft, kTop, plot_w, plot_h, kTop + plot_h / 2,
      kLeft + plot_w, kTop + 10, HtmlEscape(c.label(peak)), kTop + plot_h / 2 + 4,
      HtmlEscape(c.label(peak / 2)), kTop + plot_h,
      HumanDuration(static_cast<uint32_t>(c.times.back() - c.times.front())));
  for (const ChartSeries& s : c.series) {
    out += fmt::format(
        "<polyline fill='none' stroke='{}' stroke-width='1.5' points='{}'><title>{}</title>"
        "</polyline>",
        s.color, Line(c.times, s.values, peak), HtmlEscape(s.name));
  }
  return out + Legend(c.series) + "</svg>";
}

}  // namespace elk::master::monitor
