#include "master/cli/sections.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "master/cli/table.h"
#include "master/monitor/html.h"

namespace elk::cli {
namespace {

using nlohmann::json;
using Row = std::vector<std::string>;

std::string Text(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "-";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "-";
  return v.dump();
}

std::string Bytes(const json& j, const char* key, const Format& f) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_unsigned()) return Text(j, key);
  uint64_t v = j[key].get<uint64_t>();
  return f.plain_numbers ? std::to_string(v) : master::monitor::HumanBytes(v);
}

const json& List(const json& j, const char* key) {
  static const json kEmpty = json::array();
  return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : kEmpty;
}

std::string Info(const json& j, const Format& f) {
  Table t{{"item", "value"}, {}};
  auto add = [&](const char* label, std::string value) { t.rows.push_back({label, value}); };
  add("role", Text(j, "role"));
  add("epoch", Text(j, "epoch"));
  if (Text(j, "role") == "follower") {
    for (const char* k : {"leader", "leader_connected", "lag_records", "lag_seconds"}) {
      std::string label = k;
      std::replace(label.begin(), label.end(), '_', ' ');
      add(label.c_str(), Text(j, k));
    }
  }
  add("version", Text(j, "version"));
  add("metadata version", Text(j, "metadata_version"));
  add("uptime", j.contains("uptime_seconds") && j["uptime_seconds"].is_number_unsigned()
                    ? (f.plain_numbers ? Text(j, "uptime_seconds")
                                       : master::monitor::HumanDuration(j["uptime_seconds"]))
                    : "-");
  add("total space", Bytes(j, "total_space", f));
  add("used space", Bytes(j, "used_space", f));
  add("free space", Bytes(j, "free_space", f));
  for (const char* k : {"files", "directories", "chunks", "chunkservers", "chunkservers_lost",
                        "sessions", "metaloggers", "missing_chunks", "endangered_chunks",
                        "undergoal_chunks", "trash_files", "reserved_files"}) {
    std::string label = k;
    for (char& c : label)
      if (c == '_') c = ' ';
    add(label.c_str(), Text(j, k));
  }
  return Emit(t, f);
}

std::string Chunkservers(const json& j, const Format& f) {
  Table t{{"address", "id", "version", "state", "chunks", "used", "total", "used%", "load"}, {}};
  for (const json& r : List(j, "chunkservers")) {
    std::string pct = "-";
    if (r.value("total_space", uint64_t{0}) > 0) {
      pct =
          fmt::format("{:.1f}%", 100.0 * r.value("used_space", 0.0) / r.value("total_space", 1.0));
    }
    t.rows.push_back({Text(r, "address"), Text(r, "id"), Text(r, "version"), Text(r, "state"),
                      Text(r, "chunks"), Bytes(r, "used_space", f), Bytes(r, "total_space", f), pct,
                      Text(r, "load")});
  }
  return Emit(t, f);
}

std::string Disks(const json& j, const Format& f) {
  Table t{{"chunkserver", "path", "state", "chunks", "used", "total", "read", "written", "errors",
           "scrub", "last error"},
          {}};
  for (const json& r : List(j, "disks")) {
    std::string scrub = "off";
    if (r.value("scrub", false)) {
      scrub = r.contains("scrub_percent") && r["scrub_percent"].is_number()
                  ? fmt::format("{:.0f}%", r["scrub_percent"].get<double>())
                  : "-";
    }
    std::string error = r.value("last_error", std::string());
    t.rows.push_back({Text(r, "chunkserver"), Text(r, "path"), Text(r, "state"), Text(r, "chunks"),
                      Bytes(r, "used_space", f), Bytes(r, "total_space", f),
                      Bytes(r, "bytes_read", f), Bytes(r, "bytes_written", f), Text(r, "errors"),
                      scrub, error.empty() ? "-" : error});
  }
  std::string note = Text(j, "note");
  return Emit(t, f) + (note == "-" || note.empty() ? "" : "note: " + note + "\n");
}

std::string Sessions(const json& j, const Format& f) {
  Table t{{"session", "address", "info", "folder", "options", "connected"}, {}};
  for (const json& r : List(j, "sessions")) {
    t.rows.push_back({Text(r, "id"), Text(r, "address"), Text(r, "info"), Text(r, "folder"),
                      Text(r, "options"), Text(r, "connected")});
  }
  return Emit(t, f);
}

std::string Operations(const json& j, const Format& f) {
  Table t{{"request", "count"}, {}};
  if (j.is_object() && j.contains("operations") && j["operations"].is_object()) {
    for (const auto& [op, n] : j["operations"].items())
      t.rows.push_back({op, n.dump()});
  }
  return Emit(t, f);
}

std::string Health(const json& j, const Format& f) {
  Table summary{
      {"chunks", "missing", "endangered", "undergoal", "stable", "overgoal", "unreferenced"},
      {{Text(j, "total"), Text(j, "missing"), Text(j, "endangered"), Text(j, "undergoal"),
        Text(j, "stable"), Text(j, "overgoal"), Text(j, "unreferenced")}}};
  Table matrix{{"goal\\copies"}, {}};
  for (int c = 0; c <= 10; c++)
    matrix.head.push_back(c == 10 ? "10+" : std::to_string(c));
  const json& rows = List(j, "matrix");
  for (size_t g = 0; g < rows.size(); g++) {
    Row row = {g == 0 ? "none" : std::to_string(g)};
    for (const json& n : rows[g])
      row.push_back(n.dump());
    matrix.rows.push_back(std::move(row));
  }
  std::string catch_up;
  if (j.is_object() && j.contains("replication") && j["replication"].is_object()) {
    const json& r = j["replication"];
    if (r.value("catching_up", false)) {
      catch_up = fmt::format(
          "replication: {} of {} under-goal chunks done ({:.0f}%), {} in flight\n", Text(r, "done"),
          Text(r, "total"), std::floor(r.value("percent", 0.0)), Text(r, "in_flight"));
    } else {
      catch_up =
          fmt::format("replication: no catch-up under way, {} in flight\n", Text(r, "in_flight"));
    }
  }
  return Emit(summary, f) + catch_up + (f.separator.empty() ? "\n" : "") + Emit(matrix, f);
}

std::string Metaloggers(const json& j, const Format& f) {
  Table t{{"address", "version", "streaming", "next version", "lag"}, {}};
  for (const json& r : List(j, "metaloggers")) {
    t.rows.push_back({Text(r, "address"), Text(r, "version"), Text(r, "streaming"),
                      Text(r, "next_version"), Text(r, "lag")});
  }
  return Emit(t, f);
}

std::string Exports(const json& j, const Format& f) {
  Table t{{"line", "address", "folder", "options"}, {}};
  for (const json& r : List(j, "exports")) {
    t.rows.push_back({Text(r, "line"), Text(r, "address"), Text(r, "path"), Text(r, "options")});
  }
  return Emit(t, f);
}

// MooseFS's -SOF: one row per path of each open file (a file in trash or reserved: "-").
std::string OpenFiles(const json& j, const Format& f) {
  Table t{{"session", "inode", "descriptors", "mode", "path"}, {}};
  for (const json& r : List(j, "files")) {
    const json& paths = List(r, "paths");
    Row row = {Text(r, "session"), Text(r, "inode"), Text(r, "descriptors"), Text(r, "mode"), "-"};
    if (paths.empty()) t.rows.push_back(row);
    for (const json& p : paths) {
      row.back() = p.is_string() ? p.get<std::string>() : "-";
      t.rows.push_back(row);
    }
  }
  const std::string total = Text(j, "total");
  const bool cut = j.is_object() && j.contains("total") && j["total"].is_number_unsigned() &&
                   j["total"].get<size_t>() > List(j, "files").size();
  return Emit(t, f) + (cut ? "note: the first " + std::to_string(List(j, "files").size()) + " of " +
                                 total + " open files\n"
                           : "");
}

// MooseFS's -SAL: held locks, then the requests waiting for one.
std::string Locks(const json& j, const Format& f) {
  Table t{{"inode", "session", "kind", "owner", "pid", "type", "start", "end", "state"}, {}};
  auto add = [&](const json& r, const char* state) {
    const bool to_eof = r.value("end", uint64_t{0}) >= (uint64_t{1} << 63) - 1;
    t.rows.push_back({Text(r, "inode"), Text(r, "session"), Text(r, "kind"), Text(r, "owner"),
                      Text(r, "pid"), Text(r, "type"), Text(r, "start"),
                      to_eof ? "EOF" : Text(r, "end"), state});
  };
  for (const json& r : List(j, "locks"))
    add(r, "held");
  for (const json& r : List(j, "waiting"))
    add(r, "waiting");
  const bool grace = j.is_object() && j.value("grace", false);
  return Emit(t, f) + (grace ? "note: grace period, mounts are reclaiming their locks\n" : "");
}

}  // namespace

std::string Emit(const Table& t, const Format& f) {
  if (f.separator.empty()) return FormatTable(t);
  std::string out;
  for (const Row& row : t.rows) {
    for (size_t c = 0; c < row.size(); c++)
      out += (c ? f.separator : "") + row[c];
    out += "\n";
  }
  return out;
}

// MooseFS's letters: IN is the full master info (general info and the chunk matrix here),
// IG the general info, IC the chunks, MB the metadata backup servers (metaloggers; ML is
// ElkFS's older name for them).
const std::vector<Section>& Sections() {
  static const std::vector<Section> sections = {
      {"IN", "", "full master info (IG and IC)", nullptr, {"IG", "IC"}},
      {"IG", "info", "general master info", Info, {}},
      {"IC", "chunks", "chunks: valid copies against goal, replication", Health, {}},
      {"CS", "chunkservers", "chunkservers", Chunkservers, {}},
      {"MB", "metaloggers", "metadata backup servers (metaloggers)", Metaloggers, {}},
      {"ML", "metaloggers", "metaloggers (the same as MB)", Metaloggers, {}},
      {"HD", "disks", "disks", Disks, {}},
      {"EX", "exports", "exports", Exports, {}},
      {"MS", "sessions", "mounts (sessions)", Sessions, {}},
      {"MO", "ops", "operation counters", Operations, {}},
      {"OF", "openfiles", "open files", OpenFiles, {}},
      {"AL", "locks", "acquired locks (and waiting requests)", Locks, {}},
  };
  return sections;
}

std::vector<const Section*> LeafSections(const std::vector<std::string>& codes) {
  std::vector<const Section*> out;
  auto add = [&out](const Section* s) {
    for (const Section* have : out)
      if (have->api == s->api) return;
    out.push_back(s);
  };
  for (const std::string& code : codes) {
    const Section* s = FindSection(code);
    if (s == nullptr) continue;
    if (s->parts.empty()) add(s);
    for (const std::string& part : s->parts)
      add(FindSection(part));
  }
  return out;
}

const Section* FindSection(std::string_view code) {
  for (const Section& s : Sections())
    if (s.code == code) return &s;
  return nullptr;
}

}  // namespace elk::cli
