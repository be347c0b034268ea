#include "master/monitor/prometheus.h"

#include <fmt/format.h>

#include <initializer_list>
#include <string_view>
#include <utility>

namespace elk::master::monitor {
namespace {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Backslash, double quote and newline are the characters the format escapes in values.
std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

class Writer {
 public:
  // Opens a family: its HELP and TYPE lines.
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    name_ = name;
  }
  template <typename V>
  void Sample(V value, Labels labels = {}) {
    out_ += name_;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        out_ += fmt::format("{}{}=\"{}\"", first ? "" : ",", k, EscapeLabel(v));
        first = false;
      }
      out_ += '}';
    }
    out_ += fmt::format(" {}\n", value);
  }
  template <typename V>
  void Gauge(std::string_view name, std::string_view help, V value) {
    Family(name, "gauge", help);
    Sample(value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  std::string name_;
};

void WriteInfo(Writer& w, const Snapshot& s) {
  const Info& i = s.info;
  w.Family("elkfs_master_info", "gauge", "Always 1; the master's software version as a label.");
  w.Sample(1, {{"version", i.software_version}});
  w.Gauge("elkfs_metadata_version", "Metadata version of the last applied change.",
          i.metadata_version);
  w.Gauge("elkfs_uptime_seconds", "Seconds since this master started.", i.uptime());
  w.Gauge("elkfs_master_follower", "1 while this master follows another, 0 while it leads.",
          i.role == "follower" ? 1 : 0);
  w.Gauge("elkfs_master_epoch",
          "The term: the etcd leader key's create_revision (0 without an election).", i.epoch);
  w.Gauge("elkfs_follower_lag_records", "Records the leader has that this follower lacks.",
          i.lag_records);
  w.Gauge("elkfs_follower_lag_seconds",
          "Seconds since this follower last held the leader's "
          "version (0 when current).",
          i.lag_seconds);
  w.Gauge("elkfs_space_total_bytes", "Space of the connected chunkservers.", i.total_space);
  w.Gauge("elkfs_space_used_bytes", "Used space of the connected chunkservers.", i.used_space);
  w.Gauge("elkfs_space_free_bytes", "Free space of the connected chunkservers.", i.free_space());
  w.Gauge("elkfs_files", "Files (non-directory nodes) outside trash and reserved.", i.files);
  w.Gauge("elkfs_directories", "Directories.", i.dirs);
  w.Gauge("elkfs_trash_files", "Files in the trash.", i.trash_files);
  w.Gauge("elkfs_reserved_files", "Unlinked files still open.", i.reserved_files);
  w.Gauge("elkfs_sessions", "Client sessions.", i.sessions);
}

void WriteChunks(Writer& w, const Snapshot& s) {
  const ChunkMatrix& m = s.chunks;
  w.Gauge("elkfs_chunks", "Chunks the master knows.", m.total());
  w.Gauge("elkfs_chunks_missing", "Referenced chunks without a valid copy.", m.missing());
  w.Gauge("elkfs_chunks_endangered", "Chunks of goal above 1 with one valid copy.", m.endangered());
  w.Gauge("elkfs_chunks_undergoal", "Chunks with fewer valid copies than their goal.",
          m.undergoal());
  w.Gauge("elkfs_chunks_overgoal", "Chunks with more valid copies than their goal.", m.overgoal());
  const ReplicationProgress& r = s.replication;
  w.Gauge("elkfs_replications_in_flight", "Replications sent to chunkservers, not yet answered.",
          r.in_flight);
  w.Gauge("elkfs_replication_catchup_active", "1 while chunks with a valid copy are under goal.",
          r.catching_up ? 1 : 0);
  w.Gauge("elkfs_replication_catchup_done_chunks",
          "Chunks the current (or last) catch-up has brought back to goal.", r.done);
  w.Gauge("elkfs_replication_catchup_total_chunks",
          "Chunks the current (or last) catch-up has had to bring back to goal.", r.total);
  w.Gauge("elkfs_replication_catchup_ratio", "done / total of the catch-up (1 when none).",
          r.percent() / 100.0);
  w.Family("elkfs_chunks_by_copies", "gauge",
           "Chunks by goal and valid copies (copies=10 means ten or more); empty cells omitted.");
  for (int g = 0; g <= kMaxGoal; g++) {
    for (int c = 0; c <= kMaxCopiesColumn; c++) {
      uint64_t n = m.cells[static_cast<size_t>(g)][static_cast<size_t>(c)];
      if (n == 0) continue;
      w.Sample(n, {{"goal", std::to_string(g)}, {"copies", std::to_string(c)}});
    }
  }
}

void WriteChunkservers(Writer& w, const Snapshot& s) {
  w.Family("elkfs_chunkservers", "gauge", "Chunkservers by state.");
  w.Sample(s.info.chunkservers, {{"state", "connected"}});
  w.Sample(s.info.chunkservers_lost, {{"state", "lost"}});
  auto per_server = [&](std::string_view name, std::string_view help, auto field) {
    w.Family(name, "gauge", help);
    for (const ChunkserverRow& r : s.chunkservers)
      w.Sample(field(r), {{"address", r.address}});
  };
  per_server("elkfs_chunkserver_up", "1 when the chunkserver is connected.",
             [](const ChunkserverRow& r) { return r.connected ? 1 : 0; });
  per_server("elkfs_chunkserver_chunks", "Chunk copies on the chunkserver.",
             [](const ChunkserverRow& r) { return r.chunks; });
  per_server("elkfs_chunkserver_used_bytes", "Used space the chunkserver reports.",
             [](const ChunkserverRow& r) { return r.used_space; });
  per_server("elkfs_chunkserver_total_bytes", "Total space the chunkserver reports.",
             [](const ChunkserverRow& r) { return r.total_space; });
  per_server("elkfs_chunkserver_load", "Operations under way on the chunkserver.",
             [](const ChunkserverRow& r) { return r.load; });
}

void WriteDisks(Writer& w, const Snapshot& s) {
  auto per_disk = [&](std::string_view name, std::string_view help, auto field) {
    w.Family(name, "gauge", help);
    for (const DiskRow& r : s.disks)
      w.Sample(field(r), {{"server", r.chunkserver}, {"path", r.path}});
  };
  per_disk("elkfs_disk_used_bytes", "Used space of a chunkserver's disk.",
           [](const DiskRow& r) { return r.used_space; });
  per_disk("elkfs_disk_total_bytes", "Total space of a chunkserver's disk.",
           [](const DiskRow& r) { return r.total_space; });
  per_disk("elkfs_disk_chunks", "Chunk copies on a chunkserver's disk.",
           [](const DiskRow& r) { return r.chunks; });
  per_disk("elkfs_disk_errors",
           "I/O and checksum errors on the disk since its chunkserver started.",
           [](const DiskRow& r) { return r.errors; });
  per_disk("elkfs_disk_damaged", "1 when the chunkserver gave the disk up as damaged.",
           [](const DiskRow& r) { return r.damaged() ? 1 : 0; });
  per_disk("elkfs_disk_marked_for_removal", "1 when the disk is marked for removal (*/path).",
           [](const DiskRow& r) { return r.marked_for_removal() ? 1 : 0; });
  auto per_disk_counter = [&](std::string_view name, std::string_view help, auto field) {
    w.Family(name, "counter", help);
    for (const DiskRow& r : s.disks)
      w.Sample(field(r), {{"server", r.chunkserver}, {"path", r.path}});
  };
  per_disk_counter("elkfs_disk_bytes_read_total",
                   "Chunk data read from the disk (for clients and for replication) since its "
                   "chunkserver started.",
                   [](const DiskRow& r) { return r.bytes_read; });
  per_disk_counter("elkfs_disk_bytes_written_total",
                   "Chunk data written to the disk (by clients and replication) since its "
                   "chunkserver started.",
                   [](const DiskRow& r) { return r.bytes_written; });
  w.Family("elkfs_disk_scrub_ratio", "gauge",
           "Part of the disk's chunks the scrub has passed in its current round (0..1); "
           "absent when the scrub is off.");
  for (const DiskRow& r : s.disks) {
    const double pct = r.scrub_percent();
    if (pct >= 0) w.Sample(pct / 100.0, {{"server", r.chunkserver}, {"path", r.path}});
  }
}

void WriteMetaloggers(Writer& w, const Snapshot& s) {
  w.Gauge("elkfs_metaloggers", "Connected metaloggers.", s.info.metaloggers);
  w.Family("elkfs_metalogger_lag_records", "gauge",
           "Committed changelog records not yet sent to the metalogger.");
  for (const MetaloggerRow& r : s.metaloggers)
    w.Sample(r.lag, {{"address", r.address}});
}

void WriteOps(Writer& w, const Snapshot& s) {
  w.Family("elkfs_client_requests_total", "counter",
           "Client requests by kind since the master started.");
  for (const auto& [op, n] : s.ops)
    w.Sample(n, {{"op", op}});
  w.Family("elkfs_bytes_read_total", "counter",
           "Chunk data read from every chunkserver's disks since the master started (what the "
           "disks' counters moved by, so chunkserver restarts lose nothing).");
  w.Sample(s.totals.bytes_read);
  w.Family("elkfs_bytes_written_total", "counter",
           "Chunk data written to every chunkserver's disks since the master started.");
  w.Sample(s.totals.bytes_written);
  w.Family("elkfs_replications_total", "counter",
           "Chunk copies the replication loop made since the master started.");
  w.Sample(s.totals.replications);
  w.Family("elkfs_replication_deletions_total", "counter",
           "Chunk copies the replication loop deleted (over goal, stale, unused) since the "
           "master started.");
  w.Sample(s.totals.deletions);
}

}  // namespace

std::string RenderPrometheus(const Snapshot& s) {
  Writer w;
  WriteInfo(w, s);
  WriteChunks(w, s);
  WriteChunkservers(w, s);
  WriteDisks(w, s);
  WriteMetaloggers(w, s);
  WriteOps(w, s);
  return w.Take();
}

}  // namespace elk::master::monitor
