#include "master/monitor/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <regex>

#include "master/monitor/history.h"

namespace elk::master::monitor {
namespace {

using Row = std::vector<std::string>;

constexpr std::string_view kStyle =
    "body{font-family:sans-serif;margin:1em 2em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.3em 0}"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}td{white-space:nowrap}"
    "th{background:#eee}td.n{text-align:right}"
    ".ok{background:#dfd}.warn{background:#ffd}.bad{background:#fcc}.over{background:#ddf}"
    ".note{color:#666;font-size:.9em}.charts svg{display:block;margin:.6em 0}";

// Figures ("12", "1.5 GiB", "72.6%", "3 (0 lost)", "1h 2m") read best right-aligned.
bool IsFigure(const std::string& cell) {
  static const std::regex kFigure(
      R"(^[0-9]+(\.[0-9]+)?( ?[KMGTPE]?i?B|%| \([0-9]+ lost\))?$|^([0-9]+[dhms] ?)+$)");
  return std::regex_match(cell, kFigure);
}

// A table of plain-text cells (escaped here).
std::string Table(std::string_view id, const Row& head, const std::vector<Row>& rows) {
  std::string out = fmt::format("<table id='{}'><tr>", id);
  for (const std::string& h : head)
    out += "<th>" + HtmlEscape(h) + "</th>";
  out += "</tr>";
  for (const Row& r : rows) {
    out += "<tr>";
    for (const std::string& cell : r)
      out += fmt::format("<td{}>{}</td>", IsFigure(cell) ? " class=n" : "", HtmlEscape(cell));
    out += "</tr>";
  }
  if (rows.empty()) out += fmt::format("<tr><td colspan={}>none</td></tr>", head.size());
  return out + "</table>";
}

std::string Time(uint32_t t) {
  if (t == 0) return "-";
  std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string Summary(const Snapshot& s) {
  const Info& i = s.info;
  Row head = {"version", "metadata version", "uptime", "total space",  "used",     "free",
              "files",   "directories",      "chunks", "chunkservers", "sessions", "metaloggers"};
  Row row = {
      i.software_version,         std::to_string(i.metadata_version),
      HumanDuration(i.uptime()),  HumanBytes(i.total_space),
      HumanBytes(i.used_space),   HumanBytes(i.free_space()),
      std::to_string(i.files),    std::to_string(i.dirs),
      std::to_string(i.chunks),   fmt::format("{} ({} lost)", i.chunkservers, i.chunkservers_lost),
      std::to_string(i.sessions), std::to_string(i.metaloggers)};
  return "<h2>Cluster</h2>" + Table("info", head, {row});
}

std::string CellClass(int goal, int copies) {
  if (goal == 0) return "";
  if (copies == 0) return "bad";
  if (copies < goal) return copies == 1 ? "bad" : "warn";
  return copies == goal ? "ok" : "over";
}

std::string Matrix(const ChunkMatrix& m) {
  std::string out = "<table id='chunks'><tr><th>goal \\ valid copies</th>";
  for (int c = 0; c <= kMaxCopiesColumn; c++)
    out += fmt::format("<th>{}{}</th>", c, c == kMaxCopiesColumn ? "+" : "");
  out += "</tr>";
  for (int g = 0; g <= kMaxGoal; g++) {
    out += fmt::format("<tr><th>{}</th>", g == 0 ? std::string("none") : std::to_string(g));
    for (int c = 0; c <= kMaxCopiesColumn; c++) {
      uint64_t n = m.cells[static_cast<size_t>(g)][static_cast<size_t>(c)];
      out += n == 0 ? "<td class=n>-</td>"
                    : fmt::format("<td class='n {}'>{}</td>", CellClass(g, c), n);
    }
    out += "</tr>";
  }
  return out + "</table>";
}

// One line on replication catch-up, under the health table.
std::string CatchUpLine(const ReplicationProgress& r) {
  std::string text;
  if (r.catching_up) {
    text = fmt::format(
        "Replication catch-up: {} of {} under-goal chunks done ({:.0f}%), {} in flight, since {} "
        "UTC",
        r.done, r.total, std::floor(r.percent()), r.in_flight, Time(r.since));
  } else if (r.ended_at != 0) {
    text = fmt::format("Replication caught up: {} chunks brought to goal between {} and {} UTC",
                       r.total, Time(r.since), Time(r.ended_at));
  } else {
    text = fmt::format("Replication: no catch-up under way, {} in flight", r.in_flight);
  }
  return "<p id=catchup>" + HtmlEscape(text) + "</p>";
}

std::string Health(const Snapshot& s) {
  const ChunkMatrix& m = s.chunks;
  Row head = {"chunks", "missing",   "endangered",  "under goal",
              "stable", "over goal", "unreferenced"};
  Row row = {std::to_string(m.total()),       std::to_string(m.missing()),
             std::to_string(m.endangered()),  std::to_string(m.undergoal()),
             std::to_string(m.stable()),      std::to_string(m.overgoal()),
             std::to_string(m.unreferenced())};
  return "<h2>Chunk health</h2>" + Table("health", head, {row}) + CatchUpLine(s.replication) +
         Matrix(m);
}

std::string Chunkservers(const Snapshot& s) {
  std::vector<Row> rows;
  for (const ChunkserverRow& r : s.chunkservers) {
    std::string pct = r.total_space == 0
                          ? "-"
                          : fmt::format("{:.1f}%", 100.0 * static_cast<double>(r.used_space) /
                                                       static_cast<double>(r.total_space));
    rows.push_back({r.address, std::to_string(r.id), r.version.empty() ? "-" : r.version, r.state(),
                    std::to_string(r.chunks), HumanBytes(r.used_space), HumanBytes(r.total_space),
                    pct, std::to_string(r.load)});
  }
  return "<h2>Chunkservers</h2>" +
         Table("chunkservers",
               {"address", "id", "version", "state", "chunks", "used", "total", "used %", "load"},
               rows);
}

std::string DiskClass(const DiskRow& r) {
  if (r.damaged()) return "bad";
  if (r.state != "ok" || r.errors > 0) return "warn";
  return "";
}

std::string Disks(const Snapshot& s) {
  std::string out =
      "<h2>Disks</h2><table id='disks'><tr><th>chunkserver</th><th>path</th><th>state</th>"
      "<th>chunks</th><th>used</th><th>total</th><th>used %</th><th>errors</th>"
      "<th>last error</th><th>scrub</th></tr>";
  for (const DiskRow& r : s.disks) {
    std::string pct = r.total_space == 0
                          ? "-"
                          : fmt::format("{:.1f}%", 100.0 * static_cast<double>(r.used_space) /
                                                       static_cast<double>(r.total_space));
    std::string error = r.last_error.empty() ? "-" : Time(r.last_error_time) + " " + r.last_error;
    const double scrub_pct = r.scrub_percent();
    std::string scrub =
        !r.scrub_on     ? "off"
        : scrub_pct < 0 ? "-"
                        : fmt::format("{:.0f}% ({} of {})", scrub_pct, r.scrub_done, r.scrub_total);
    const std::string cls = DiskClass(r);
    out += cls.empty() ? "<tr>" : fmt::format("<tr class={}>", cls);
    for (const std::string& cell :
         {r.chunkserver, r.path, r.state, std::to_string(r.chunks), HumanBytes(r.used_space),
          HumanBytes(r.total_space), pct, std::to_string(r.errors), error, scrub}) {
      out += fmt::format("<td{}>{}</td>", IsFigure(cell) ? " class=n" : "", HtmlEscape(cell));
    }
    out += "</tr>";
  }
  if (s.disks.empty()) out += "<tr><td colspan=10>none</td></tr>";
  out += "</table>";
  if (!s.disks_note.empty()) out += "<p class=note>" + HtmlEscape(s.disks_note) + "</p>";
  return out;
}

std::string Sessions(const Snapshot& s) {
  std::vector<Row> rows;
  for (const SessionRow& r : s.sessions) {
    rows.push_back({r.address, std::to_string(r.id), r.info, r.folder, r.options,
                    r.connected ? "yes" : "no", Time(r.created), Time(r.last_seen)});
  }
  return "<h2>Mounts</h2>" + Table("sessions",
                                   {"address", "session", "info", "folder", "options", "connected",
                                    "since", "last seen"},
                                   rows);
}

// The page lists the first rows; the JSON (and mfscli -SOF, -SAL) every row it has.
constexpr size_t kPageRows = 200;

std::string MoreRows(size_t shown, size_t total, const char* what) {
  if (shown >= total) return "";
  return fmt::format("<p class=note>the first {} of {} {}; all in /api/v1/</p>", shown, total,
                     what);
}

std::string OpenFiles(const Snapshot& s) {
  std::vector<Row> rows;
  for (const OpenFileRow& r : s.open_files) {
    if (rows.size() == kPageRows) break;
    std::string paths;
    for (const std::string& p : r.paths)
      paths += (paths.empty() ? "" : ", ") + p;
    rows.push_back({std::to_string(r.session), std::to_string(r.inode),
                    std::to_string(r.descriptors), r.mode, paths.empty() ? "-" : paths});
  }
  return "<h2>Open files</h2>" +
         Table("openfiles", {"session", "inode", "descriptors", "mode", "paths"}, rows) +
         MoreRows(rows.size(), std::max(s.open_files_total, s.open_files.size()), "open files");
}

std::string Locks(const Snapshot& s) {
  std::vector<Row> rows;
  for (const LockRow& r : s.locks) {
    if (rows.size() == kPageRows) break;
    const bool to_eof = r.end >= (uint64_t{1} << 63) - 1;
    rows.push_back({std::to_string(r.inode), std::to_string(r.session), r.kind,
                    std::to_string(r.owner), std::to_string(r.pid), r.type, std::to_string(r.start),
                    to_eof ? "EOF" : std::to_string(r.end), r.waiting ? "waiting" : "held"});
  }
  return "<h2>File locks</h2>" +
         Table("locks",
               {"inode", "session", "kind", "owner", "pid", "type", "start", "end", "state"},
               rows) +
         (s.locks_grace ? "<p class=note>grace period: mounts are reclaiming their locks</p>"
                        : "") +
         MoreRows(rows.size(), s.locks.size(), "locks and waiting requests");
}

std::string Metaloggers(const Snapshot& s) {
  std::vector<Row> rows;
  for (const MetaloggerRow& r : s.metaloggers) {
    rows.push_back({r.address, r.version, r.streaming ? "streaming" : "downloading image",
                    std::to_string(r.next_version), std::to_string(r.lag)});
  }
  return "<h2>Metaloggers</h2>" +
         Table("metaloggers", {"address", "version", "state", "next version", "lag (records)"},
               rows);
}

std::string Exports(const Snapshot& s) {
  std::vector<Row> rows;
  for (const ExportRow& r : s.exports)
    rows.push_back({r.address, r.path, r.options, std::to_string(r.line)});
  return "<h2>Exports</h2>" + Table("exports", {"address", "folder", "options", "line"}, rows);
}

std::string Operations(const Snapshot& s) {
  std::vector<Row> rows;
  for (const auto& [op, n] : s.ops)
    rows.push_back({op, std::to_string(n)});
  return "<h2>Client requests</h2>" + Table("ops", {"request", "count"}, rows);
}

std::string Activity(const Snapshot& s) {
  const std::string span = s.history_step == History::kDefaultStep
                               ? std::string("one point a minute, the last 24 hours")
                               : fmt::format("one point every {} s, the last {} points",
                                             s.history_step, History::kDefaultCapacity);
  return "<h2>Activity</h2><p class=note>" + span + "</p>" +
         HistoryCharts(s.history, s.history_step);
}

// One series of the history, scaled (a rate per second shown per minute: 60).
std::vector<double> Values(const std::vector<HistoryPoint>& points, double HistoryPoint::*field,
                           double scale = 1) {
  std::vector<double> v;
  v.reserve(points.size());
  for (const HistoryPoint& p : points)
    v.push_back(p.*field * scale);
  return v;
}

// MooseFS's "Servers charts": each chunkserver's disk bytes read and written per second.
std::string ServerCharts(const Snapshot& s) {
  std::string out = "<h2>Chunkserver charts</h2>";
  if (s.server_history.empty()) return out + "<p class=note>no chunkserver reports its disks</p>";
  for (const ServerHistory& h : s.server_history) {
    const std::vector<HistoryPoint>& points = *h.points;
    std::vector<uint32_t> times;
    for (const HistoryPoint& p : points)
      times.push_back(p.time);
    out += ChartSvg(
        {.title = h.address + ": bytes read and written per second",
         .times = times,
         .series = {{"read", "#27c", Values(points, &HistoryPoint::read_bytes_per_second)},
                    {"written", "#d62", Values(points, &HistoryPoint::written_bytes_per_second)}},
         .label = HumanRate,
         .floor = 1024,
         .step = s.history_step});
  }
  return "<div class=charts>" + out + "</div>";
}

}  // namespace

std::string HistoryCharts(const std::vector<HistoryPoint>& points, uint32_t step) {
  std::vector<uint32_t> times;
  for (const HistoryPoint& p : points)
    times.push_back(p.time);
  auto per_second = [](double v) { return fmt::format("{:.1f}/s", v); };
  auto per_minute = [](double v) { return fmt::format("{:.1f}/min", v); };
  const Chart requests{
      .title = "client requests per second",
      .times = times,
      .series = {{"requests", "#2a6", Values(points, &HistoryPoint::ops_per_second)}},
      .label = per_second,
      .step = step};
  const Chart bytes{
      .title = "bytes read and written per second (chunkserver disks)",
      .times = times,
      .series = {{"read", "#27c", Values(points, &HistoryPoint::read_bytes_per_second)},
                 {"written", "#d62", Values(points, &HistoryPoint::written_bytes_per_second)}},
      .label = HumanRate,
      .floor = 1024,
      .step = step};
  const Chart replication{
      .title = "replication: chunk copies per minute",
      .times = times,
      .series = {{"copied", "#83c", Values(points, &HistoryPoint::replications_per_second, 60)},
                 {"deleted", "#999", Values(points, &HistoryPoint::deletions_per_second, 60)}},
      .label = per_minute,
      .step = step};
  return "<div class=charts>" + ChartSvg(requests) + ChartSvg(bytes) + ChartSvg(replication) +
         "</div>";
}

namespace {

// One part of the page and the MooseFS section codes (mfs.cgi?sections=IN|CS) that show it.
struct PagePart {
  std::string_view codes;  // '|'-separated
  std::string (*render)(const Snapshot&);
};

// The page's order; MooseFS's letters: IN info, CS servers (chunkservers and metaloggers),
// HD disks, MS mounts, OF open files, AL acquired locks, EX exports, MC master charts, MO
// operations.
constexpr PagePart kPageParts[] = {
    {"IN|IG", Summary}, {"IN|IC", Health}, {"CS", Chunkservers}, {"HD", Disks},
    {"MS", Sessions},   {"OF", OpenFiles}, {"AL", Locks},        {"CS|MB|ML", Metaloggers},
    {"EX", Exports},    {"MC", Activity},  {"CC", ServerCharts}, {"MO", Operations}};

bool Wanted(std::string_view codes, std::string_view sections) {
  if (sections.empty()) return true;
  while (!codes.empty()) {
    std::string_view code = codes.substr(0, codes.find('|'));
    codes.remove_prefix(std::min(codes.size(), code.size() + 1));
    for (std::string_view rest = sections; !rest.empty();) {
      std::string_view asked = rest.substr(0, rest.find('|'));
      rest.remove_prefix(std::min(rest.size(), asked.size() + 1));
      if (asked == code) return true;
    }
  }
  return false;
}

}  // namespace

std::string RenderHtml(const Snapshot& s, std::string_view sections) {
  std::string out = fmt::format(
      "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
      "<meta http-equiv=refresh content=10><title>ElkFS master</title><style>{}</style>"
      "</head><body><h1>ElkFS master</h1><p class=note>snapshot of {} UTC; JSON under "
      "/api/v1/, Prometheus at /metrics</p>",
      kStyle, Time(s.info.now));
  size_t shown = 0;
  for (const PagePart& part : kPageParts) {
    if (!Wanted(part.codes, sections)) continue;
    out += part.render(s);
    ++shown;
  }
  if (shown == 0) {
    out += fmt::format(
        "<p class=note>no section of ElkFS's monitor is called '{}'; the codes "
        "are IN CS HD MS OF AL EX MC MO</p>",
        HtmlEscape(sections));
  }
  return out + "</body></html>\n";
}

}  // namespace elk::master::monitor
