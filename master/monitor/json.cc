#include "master/monitor/json.h"

#include <functional>
#include <map>

namespace elk::master::monitor {

using nlohmann::json;

json BaseInfoJson(const Snapshot& s);

json InfoJson(const Snapshot& s) {
  const Info& i = s.info;
  json out = BaseInfoJson(s);
  out["role"] = i.role;
  out["epoch"] = i.epoch;
  if (i.role == "leader") {
    out["sync_followers_wanted"] = i.sync_followers_wanted;
    out["sync_followers_in_step"] = i.sync_followers_in_step;
  }
  if (i.role == "follower") {
    out["leader"] = i.leader;
    out["leader_connected"] = i.leader_connected;
    out["leader_version"] = i.leader_version;
    out["lag_records"] = i.lag_records;
    out["lag_seconds"] = i.lag_seconds;
    out["last_applied_at"] = i.last_applied_at;
    out["diverged"] = i.diverged;
  }
  return out;
}

json BaseInfoJson(const Snapshot& s) {
  const Info& i = s.info;
  return {{"version", i.software_version},
          {"metadata_version", i.metadata_version},
          {"time", i.now},
          {"uptime_seconds", i.uptime()},
          {"total_space", i.total_space},
          {"used_space", i.used_space},
          {"free_space", i.free_space()},
          {"files", i.files},
          {"directories", i.dirs},
          {"files_length", i.files_length},
          {"trash_files", i.trash_files},
          {"reserved_files", i.reserved_files},
          {"chunks", i.chunks},
          {"chunkservers", i.chunkservers},
          {"chunkservers_lost", i.chunkservers_lost},
          {"sessions", i.sessions},
          {"metaloggers", i.metaloggers},
          {"missing_chunks", s.chunks.missing()},
          {"endangered_chunks", s.chunks.endangered()},
          {"undergoal_chunks", s.chunks.undergoal()},
          {"replications_in_flight", s.replication.in_flight},
          {"catch_up_percent", s.replication.percent()}};
}

json ReplicationJson(const ReplicationProgress& r) {
  return {{"undergoal", r.undergoal}, {"in_flight", r.in_flight}, {"catching_up", r.catching_up},
          {"done", r.done},           {"total", r.total},         {"percent", r.percent()},
          {"since", r.since},         {"ended_at", r.ended_at}};
}

json ChunkserversJson(const Snapshot& s) {
  json list = json::array();
  for (const ChunkserverRow& r : s.chunkservers) {
    list.push_back({{"id", r.id},
                    {"address", r.address},
                    {"version", r.version},
                    {"state", r.state()},
                    {"connected", r.connected},
                    {"marked_for_removal", r.marked_for_removal},
                    {"chunks", r.chunks},
                    {"used_space", r.used_space},
                    {"total_space", r.total_space},
                    {"load", r.load},
                    {"disconnected_since", r.disconnected_since}});
  }
  return {{"chunkservers", list}};
}

json DisksJson(const Snapshot& s) {
  json list = json::array();
  for (const DiskRow& r : s.disks) {
    const double pct = r.scrub_percent();
    list.push_back({{"chunkserver", r.chunkserver},
                    {"path", r.path},
                    {"state", r.state},
                    {"damaged", r.damaged()},
                    {"marked_for_removal", r.marked_for_removal()},
                    {"chunks", r.chunks},
                    {"used_space", r.used_space},
                    {"total_space", r.total_space},
                    {"errors", r.errors},
                    {"last_error", r.last_error},
                    {"last_error_time", r.last_error_time},
                    {"scrub", r.scrub_on},
                    {"scrub_done", r.scrub_done},
                    {"scrub_total", r.scrub_total},
                    {"scrub_percent", pct < 0 ? json(nullptr) : json(pct)},
                    {"bytes_read", r.bytes_read},
                    {"bytes_written", r.bytes_written}});
  }
  return {{"disks", list}, {"note", s.disks_note}};
}

json SessionsJson(const Snapshot& s) {
  json list = json::array();
  for (const SessionRow& r : s.sessions) {
    list.push_back({{"id", r.id},
                    {"address", r.address},
                    {"info", r.info},
                    {"folder", r.folder},
                    {"options", r.options},
                    {"connected", r.connected},
                    {"created", r.created},
                    {"last_seen", r.last_seen}});
  }
  return {{"sessions", list}};
}

json MetaloggersJson(const Snapshot& s) {
  json list = json::array();
  for (const MetaloggerRow& r : s.metaloggers) {
    list.push_back({{"address", r.address},
                    {"version", r.version},
                    {"streaming", r.streaming},
                    {"next_version", r.next_version},
                    {"lag", r.lag}});
  }
  return {{"metaloggers", list}};
}

json ChunksJson(const Snapshot& s) {
  json rows = json::array();
  for (int g = 0; g <= kMaxGoal; g++)
    rows.push_back(s.chunks.cells[static_cast<size_t>(g)]);
  return {{"total", s.chunks.total()},
          {"missing", s.chunks.missing()},
          {"endangered", s.chunks.endangered()},
          {"undergoal", s.chunks.undergoal()},
          {"stable", s.chunks.stable()},
          {"overgoal", s.chunks.overgoal()},
          {"unreferenced", s.chunks.unreferenced()},
          {"matrix_note",
           "rows: goal 0..9 (0: no file refers to it), columns: valid copies "
           "0..10 (10: ten or more)"},
          {"matrix", rows},
          {"replication", ReplicationJson(s.replication)}};
}

json ExportsJson(const Snapshot& s) {
  json list = json::array();
  for (const ExportRow& r : s.exports) {
    list.push_back(
        {{"address", r.address}, {"path", r.path}, {"options", r.options}, {"line", r.line}});
  }
  return {{"exports", list}};
}

namespace {

json HistoryPoints(const std::vector<HistoryPoint>& history) {
  json points = json::array();
  for (const HistoryPoint& p : history) {
    points.push_back({{"time", p.time},
                      {"ops_per_second", p.ops_per_second},
                      {"read_bytes_per_second", p.read_bytes_per_second},
                      {"written_bytes_per_second", p.written_bytes_per_second},
                      {"replications_per_second", p.replications_per_second},
                      {"deletions_per_second", p.deletions_per_second}});
  }
  return points;
}

}  // namespace

json LocksJson(const Snapshot& s) {
  json held = json::array();
  json waiting = json::array();
  for (const LockRow& r : s.locks) {
    (r.waiting ? waiting : held)
        .push_back({{"inode", r.inode},
                    {"kind", r.kind},
                    {"session", r.session},
                    {"owner", r.owner},
                    {"pid", r.pid},
                    {"type", r.type},
                    {"start", r.start},
                    {"end", r.end}});
  }
  return {{"grace", s.locks_grace}, {"locks", held}, {"waiting", waiting}};
}

json OpenFilesJson(const Snapshot& s) {
  json files = json::array();
  for (const OpenFileRow& r : s.open_files) {
    files.push_back({{"session", r.session},
                     {"inode", r.inode},
                     {"descriptors", r.descriptors},
                     {"mode", r.mode},
                     {"paths", r.paths}});
  }
  return {{"total", s.open_files_total}, {"files", files}};
}

json OpsJson(const Snapshot& s) {
  json counters = json::object();
  for (const auto& [name, n] : s.ops)
    counters[name] = n;
  return {{"operations", counters}, {"history", HistoryPoints(s.history)}};
}

namespace {

// Each chunkserver's points: only its bytes read and written are counted per server.
json ServerHistoriesJson(const Snapshot& s) {
  json out = json::array();
  for (const ServerHistory& h : s.server_history) {
    json points = json::array();
    for (const HistoryPoint& p : *h.points) {
      points.push_back({{"time", p.time},
                        {"read_bytes_per_second", p.read_bytes_per_second},
                        {"written_bytes_per_second", p.written_bytes_per_second}});
    }
    out.push_back({{"address", h.address}, {"history", std::move(points)}});
  }
  return out;
}

}  // namespace

json HistoryJson(const Snapshot& s) {
  const Totals& t = s.totals;
  return {{"step_seconds", s.history_step},
          {"totals",
           {{"ops", t.ops},
            {"bytes_read", t.bytes_read},
            {"bytes_written", t.bytes_written},
            {"replications", t.replications},
            {"deletions", t.deletions}}},
          {"history", HistoryPoints(s.history)},
          {"chunkservers", ServerHistoriesJson(s)}};
}

namespace {

using Renderer = std::function<json(const Snapshot&)>;

const std::map<std::string, Renderer, std::less<>>& Renderers() {
  static const std::map<std::string, Renderer, std::less<>> table{
      {"info", InfoJson},
      {"chunkservers", ChunkserversJson},
      {"disks", DisksJson},
      {"sessions", SessionsJson},
      {"metaloggers", MetaloggersJson},
      {"chunks", ChunksJson},
      {"exports", ExportsJson},
      {"ops", OpsJson},
      {"locks", LocksJson},
      {"openfiles", OpenFilesJson},
      {"history", HistoryJson}};
  return table;
}

}  // namespace

const std::vector<std::string>& ApiSections() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, fn] : Renderers())
      v.push_back(name);
    return v;
  }();
  return names;
}

std::optional<std::string> RenderApi(const Snapshot& s, std::string_view section) {
  auto it = Renderers().find(section);
  if (it == Renderers().end()) return std::nullopt;
  return it->second(s).dump(2) + "\n";
}

}  // namespace elk::master::monitor
