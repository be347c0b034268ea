#include "master/monitor/history_file.h"

#include <fmt/format.h>

#include <charconv>

namespace elk::master::monitor {
namespace {

constexpr std::string_view kMagic = "elkfs-stats 1 step ";

template <typename T>
bool TakeNumber(std::string_view& line, T& out) {
  while (!line.empty() && line.front() == ' ')
    line.remove_prefix(1);
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), out);
  if (ec != std::errc()) return false;
  line.remove_prefix(static_cast<size_t>(end - line.data()));
  return true;
}

bool ParsePoint(std::string_view line, HistoryPoint& p) {
  bool ok = TakeNumber(line, p.time) && TakeNumber(line, p.ops_per_second) &&
            TakeNumber(line, p.read_bytes_per_second) &&
            TakeNumber(line, p.written_bytes_per_second) &&
            TakeNumber(line, p.replications_per_second) && TakeNumber(line, p.deletions_per_second);
  return ok && line.empty();
}

}  // namespace

std::string EncodeHistory(uint32_t step, const std::vector<HistoryPoint>& points) {
  std::string out = fmt::format("{}{}\n", kMagic, step);
  for (const HistoryPoint& p : points) {
    out +=
        fmt::format("{} {} {} {} {} {}\n", p.time, p.ops_per_second, p.read_bytes_per_second,
                    p.written_bytes_per_second, p.replications_per_second, p.deletions_per_second);
  }
  return out;
}

Result<std::vector<HistoryPoint>> DecodeHistory(std::string_view text, uint32_t step) {
  const size_t first_end = text.find('\n');
  std::string_view first = text.substr(0, first_end);
  if (!first.starts_with(kMagic)) return Status(Code::kInval, "not an ElkFS chart history");
  first.remove_prefix(kMagic.size());
  uint32_t saved_step = 0;
  if (!TakeNumber(first, saved_step) || !first.empty()) {
    return Status(Code::kInval, "bad first line");
  }
  if (saved_step != step) {
    return Status(Code::kInval, fmt::format("kept at a step of {} s, not {} s", saved_step, step));
  }
  std::vector<HistoryPoint> points;
  text.remove_prefix(first_end == std::string_view::npos ? text.size() : first_end + 1);
  for (size_t line_no = 2; !text.empty(); ++line_no) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) break;  // a torn last line: the points before it stand
    HistoryPoint p;
    if (!ParsePoint(text.substr(0, end), p)) {
      return Status(Code::kInval, fmt::format("line {} is not a point", line_no));
    }
    points.push_back(p);
    text.remove_prefix(end + 1);
  }
  return points;
}

}  // namespace elk::master::monitor
