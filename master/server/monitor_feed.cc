#include "master/server/monitor_feed.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "common/atomic_file.h"
#include "common/cfg/file_read.h"
#include "common/log/log.h"
#include "common/net/address.h"
#include "common/protocol/message_types.h"
#include "master/chunks/health.h"
#include "master/monitor/history_file.h"
#include "master/monitor/pages.h"
#include "master/server/lock_service.h"

namespace elk::master {

MonitorFeed::MonitorFeed(net::EventLoop& loop, MonitorSources sources, MonitorFeedOptions options)
    : loop_(loop),
      src_(std::move(sources)),
      options_(std::move(options)),
      history_(options_.history_step) {}

MonitorFeed::~MonitorFeed() {
  if (timer_ != net::kNoTimer) loop_.Cancel(timer_);
  http_.reset();  // joins the HTTP threads before the box and the sources go
  SaveHistory();
}

Result<std::unique_ptr<MonitorFeed>> MonitorFeed::Start(net::EventLoop& loop,
                                                        MonitorSources sources,
                                                        MonitorFeedOptions options) {
  std::unique_ptr<MonitorFeed> feed(new MonitorFeed(loop, std::move(sources), std::move(options)));
  feed->started_at_ = feed->src_.now();
  feed->LoadHistory();
  feed->Publish();
  if (feed->options_.listen) {
    monitor::HttpOptions http;
    http.host = feed->options_.listen->host;
    http.port = feed->options_.listen->port;
    http.max_connections = feed->options_.max_connections;
    http.max_per_address = feed->options_.max_per_address;
    auto server = monitor::HttpServer::Start(http, feed->box_);
    if (!server.ok()) return server.status();
    feed->http_ = std::move(*server);
  }
  MonitorFeed* raw = feed.get();
  feed->timer_ = loop.RunEvery(feed->options_.period, [raw] { raw->Publish(); });
  return feed;
}

void MonitorFeed::Publish() {
  // The chunk registry: small metadata is walked every time (about 0.6 ms at the threshold here,
  // see monitor_walk_bench), so figures never disagree with the tables beside them; large metadata
  // every walk_every ticks (about 13 ms for 1,000,000 files).
  size_t size = src_.meta.ns().NodeCount() + src_.meta.chunks().chunk_count();
  bool due = ticks_++ % std::max<uint32_t>(1, options_.walk_every) == 0;
  if (due || size <= options_.walk_always_below) Walk();
  auto s = std::make_shared<monitor::Snapshot>();
  FillInfo(*s);
  s->chunks = matrix_;
  FillReplication(*s);
  FillChunkservers(*s);
  FillSessions(*s);
  FillMetaloggers(*s);
  FillExports(*s);
  FillOps(*s);
  FillDisks(*s);
  FillServerHistory(*s);
  FillLocks(*s);
  FillOpenFiles(*s);
  box_->Publish(std::move(s));
  pages_this_second_ = 0;
}

protocol::MatoclMonitor MonitorFeed::Page(const protocol::CltomaMonitor& request) {
  if (++pages_this_second_ > kPagesPerSecond) {
    return {request.msgid, 503, "text/plain; charset=utf-8",
            "503 Service Unavailable: too many monitor pages this second, try again\n"};
  }
  monitor::Page page = monitor::RenderPage(*box_->Get(), request.path, request.sections);
  if (page.body.size() > protocol::kBulk - 1024) {
    return {request.msgid, 500, "text/plain; charset=utf-8",
            "500 the page is larger than one client-port message; read it over HTTP\n"};
  }
  return {request.msgid, static_cast<uint16_t>(page.status), std::move(page.content_type),
          std::move(page.body)};
}

void MonitorFeed::FillServerHistory(monitor::Snapshot& s) {
  std::map<std::string, monitor::Totals> moved;  // each server's disks' counters summed
  for (const monitor::DiskRow& d : s.disks) {
    monitor::Totals& t = moved[d.chunkserver];
    t.bytes_read += d.bytes_read;
    t.bytes_written += d.bytes_written;
  }
  for (const auto& [address, totals] : moved) {
    auto [it, fresh] = server_history_.try_emplace(address, history_.step());
    ServerChart& chart = it->second;
    if (chart.history.Sample(s.info.now, totals) || fresh) {
      chart.points =
          std::make_shared<const std::vector<monitor::HistoryPoint>>(chart.history.points());
    }
  }
  // A lost server keeps its chart; one removed from the registry takes it along.
  std::set<std::string> known;
  for (const monitor::ChunkserverRow& r : s.chunkservers)
    known.insert(r.address);
  std::erase_if(server_history_, [&](const auto& e) { return !known.contains(e.first); });
  for (const auto& [address, chart] : server_history_)
    s.server_history.push_back({address, chart.points});
}

void MonitorFeed::LoadHistory() {
  if (options_.history_file.empty()) return;
  auto text = cfg::ReadWholeFile(options_.history_file);
  if (!text.ok()) {
    if (text.status().code() != Code::kNoEnt) {
      log::Warning("{}: the charts start empty: {}", options_.history_file,
                   text.status().ToString());
    }
    return;
  }
  auto points = monitor::DecodeHistory(*text, history_.step());
  if (!points.ok()) {
    log::Warning("{}: the charts start empty: {}", options_.history_file,
                 points.status().message());
    return;
  }
  history_.Restore(std::move(*points), src_.now());
}

void MonitorFeed::SaveHistory() const {
  if (options_.history_file.empty()) return;
  Status s = WriteFileAtomically(options_.history_file,
                                 monitor::EncodeHistory(history_.step(), history_.points()));
  if (!s.ok()) log::Warning("{}: charts not kept: {}", options_.history_file, s.ToString());
}

monitor::ChunkMatrix HealthMatrix(const ChunkRegistry& registry) {
  monitor::ChunkMatrix m;
  registry.ForEachChunk([&](ChunkId, const Chunk& chunk) {
    m.Add(chunk.goal(), static_cast<int>(Assess(chunk, registry.servers()).valid));
  });
  return m;
}

void MonitorFeed::Walk() {
  matrix_ = HealthMatrix(src_.meta.chunks());
}

void MonitorFeed::FillInfo(monitor::Snapshot& s) const {
  monitor::Info& i = s.info;
  i.software_version = options_.software_version;
  i.metadata_version = src_.meta.version();
  i.now = src_.now();
  i.started_at = started_at_;
  const StatFs stats = src_.meta.ns().Stats();  // kept counters: no walk
  i.files = stats.files;
  i.dirs = stats.dirs;
  i.files_length = stats.total_length;
  i.trash_files = stats.trash_files;
  i.reserved_files = stats.reserved_files;
  i.chunks = src_.meta.chunks().chunk_count();
  for (const ChunkServer& cs : src_.meta.chunks().servers().all()) {
    if (!cs.connected) {
      i.chunkservers_lost++;
      continue;
    }
    i.chunkservers++;
    i.total_space += cs.total_bytes;
    i.used_space += cs.used_bytes;
  }
  i.sessions = static_cast<uint32_t>(src_.sessions.size());
  i.metaloggers = static_cast<uint32_t>(src_.metaloggers.link_count());
  const FollowerQuorum& quorum = src_.metaloggers.quorum();
  i.sync_followers_wanted = static_cast<uint32_t>(quorum.wanted());
  i.sync_followers_in_step = static_cast<uint32_t>(quorum.members());
  if (src_.role == nullptr) return;
  const RoleState& r = *src_.role;
  i.role = std::string(MasterRoleName(r.role));
  i.epoch = r.epoch;
  if (!r.following()) return;
  i.leader = fmt::format("{}:{}", r.leader_host, r.leader_follow_port);
  i.leader_connected = src_.leader_connected && src_.leader_connected();
  i.leader_version = r.leader_version;
  i.lag_records = r.LagRecords(i.metadata_version);
  i.lag_seconds = r.LagSeconds(i.metadata_version, i.now);
  i.last_applied_at = r.last_applied_at;
  i.diverged = r.diverged;
}

void MonitorFeed::FillChunkservers(monitor::Snapshot& s) {
  for (const ChunkServer& cs : src_.meta.chunks().servers().all()) {
    monitor::ChunkserverRow r;
    r.id = cs.id;
    r.address = net::Address{cs.address.ip, cs.address.port}.ToString();
    if (const ChunkserverLink* link = src_.chunkservers.Find(cs.id)) {
      r.version = link->software_version();
    }
    r.connected = cs.connected;
    r.marked_for_removal = cs.marked_for_removal;
    r.chunks = cs.chunk_count;
    r.used_space = cs.used_bytes;
    r.total_space = cs.total_bytes;
    r.load = cs.load;
    r.disconnected_since = cs.connected ? 0 : cs.disconnected_since;
    s.chunkservers.push_back(std::move(r));
  }
}

void MonitorFeed::FillReplication(monitor::Snapshot& s) const {
  if (src_.chunk_loop == nullptr) return;
  const replication::CatchUp& c = src_.chunk_loop->catch_up();
  s.replication = {.undergoal = src_.chunk_loop->under_goal().undergoal,
                   .in_flight = src_.chunk_loop->in_flight(),
                   .catching_up = c.active(),
                   .done = c.done(),
                   .total = c.total(),
                   .since = c.started_at(),
                   .ended_at = c.ended_at()};
}

std::string DiskStateText(protocol::DiskState state) {
  switch (state) {
    case protocol::DiskState::kOk:
      return "ok";
    case protocol::DiskState::kDamaged:
      return "damaged";
    case protocol::DiskState::kMarkedForRemoval:
      return "marked for removal";
    case protocol::DiskState::kReadOnly:
      return "read-only";
    case protocol::DiskState::kLast:
      break;
  }
  return "unknown";
}

void MonitorFeed::FillDisks(monitor::Snapshot& s) const {
  size_t silent = 0;
  for (const ChunkServer& cs : src_.meta.chunks().servers().all()) {
    if (!cs.connected) continue;
    const ChunkserverLink* link = src_.chunkservers.Find(cs.id);
    if (!link || link->disks().empty()) {
      silent++;
      continue;
    }
    const std::string address = net::Address{cs.address.ip, cs.address.port}.ToString();
    for (const protocol::DiskReport& d : link->disks()) {
      s.disks.push_back({.chunkserver = address,
                         .path = d.path,
                         .state = DiskStateText(d.state),
                         .chunks = d.chunk_count,
                         .used_space = d.used_space,
                         .total_space = d.total_space,
                         .errors = d.errors,
                         .last_error = d.last_error,
                         .last_error_time = d.last_error_time,
                         .scrub_on = d.scrub_on,
                         .scrub_done = d.scrub_done,
                         .scrub_total = d.scrub_total,
                         .bytes_read = d.bytes_read,
                         .bytes_written = d.bytes_written});
    }
  }
  // An older chunkserver never reports its disks; say so rather than show nothing silently.
  if (silent > 0) {
    s.disks_note = fmt::format(
        "{} connected chunkserver{} reported no disks (an older version, or just registered).",
        silent, silent == 1 ? "" : "s");
  }
}

void MonitorFeed::FillSessions(monitor::Snapshot& s) const {
  std::set<uint32_t> live = src_.connected_sessions();
  for (const Session* session : src_.sessions.All()) {
    s.sessions.push_back({.id = session->id,
                          .address = net::FormatIp(session->ip),
                          .info = session->info,
                          .folder = session->folder,
                          .options = ExportOptionsText(session->rule.options),
                          .connected = live.contains(session->id),
                          .created = session->created,
                          .last_seen = session->last_seen});
  }
}

void MonitorFeed::FillLocks(monitor::Snapshot& s) const {
  const LockService* service = src_.clients.locks;
  if (service == nullptr) return;
  auto row = [](const locks::Request& r, bool waiting) {
    return monitor::LockRow{.inode = r.inode,
                            .kind = r.kind == protocol::LockKind::kFlock ? "flock" : "posix",
                            .session = r.owner.session,
                            .owner = r.owner.id,
                            .pid = r.pid,
                            .type = r.type == protocol::LockType::kShared ? "shared" : "exclusive",
                            .start = r.start,
                            .end = r.end,
                            .waiting = waiting};
  };
  for (const locks::Held& h : service->table().AllHeld()) {
    s.locks.push_back(row(
        locks::Request{h.inode, h.kind, h.owner, h.pid, h.range.start, h.range.end, h.range.type},
        false));
  }
  for (const auto& [id, r] : service->table().AllWaiting())
    s.locks.push_back(row(r, true));
  s.locks_grace = service->in_grace();
}

// Built every second on the master's loop: bounded in rows and in directory entries read
// for the paths, however many files are open.
void MonitorFeed::FillOpenFiles(monitor::Snapshot& s) const {
  constexpr size_t kMaxOpenFilesListed = 10000;
  size_t budget = 1000000;  // directory entries read for the paths
  const Namespace& ns = src_.meta.ns();
  s.open_files_total = ns.open_count();
  for (const Namespace::OpenedBy& o : ns.Opens(kMaxOpenFilesListed)) {
    const bool read = (o.mode & kOpenedRead) != 0;
    const bool write = (o.mode & kOpenedWrite) != 0;
    s.open_files.push_back({.session = o.session,
                            .inode = o.inode,
                            .descriptors = o.count,
                            .mode = read && write ? "read-write"
                                    : write       ? "write"
                                                  : "read",
                            .paths = ns.PathsOf(o.inode, budget)});
  }
}

void MonitorFeed::FillMetaloggers(monitor::Snapshot& s) const {
  uint64_t last = src_.meta.version();
  src_.metaloggers.ForEachLink([&](const MetaloggerLink& link) {
    uint64_t sent = link.next_version() == 0 ? 0 : link.next_version() - 1;
    s.metaloggers.push_back({.address = link.peer().ToString(),
                             .version = link.software_version(),
                             .streaming = link.streaming(),
                             .next_version = link.next_version(),
                             .lag = last > sent ? last - sent : 0});
  });
}

void MonitorFeed::FillExports(monitor::Snapshot& s) const {
  auto rules = src_.exports.rules();
  for (const cfg::ExportRule& rule : *rules) {
    s.exports.push_back({.address = ExportAddressText(rule.address),
                         .path = rule.path,
                         .options = ExportOptionsText(rule.options),
                         .line = rule.line});
  }
}

// "CLTOMA_READ_CHUNK" -> "read_chunk": the counters read as the requests they count. The
// running totals of the history come along: requests, and the chunkservers' I/O and
// replication as their links summed it.
void MonitorFeed::FillOps(monitor::Snapshot& s) {
  uint64_t total = 0;
  for (const auto& [type, n] : src_.clients.op_counts) {
    std::string name(protocol::TypeName(type));
    if (name.rfind("CLTOMA_", 0) == 0) name = name.substr(7);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    s.ops.emplace_back(std::move(name), n);
    total += n;
  }
  const ChunkserverTotals& cs = src_.chunkservers.totals();
  s.totals = {.ops = total,
              .bytes_read = cs.bytes_read,
              .bytes_written = cs.bytes_written,
              .replications = cs.replications,
              .deletions = cs.deletions};
  // The file is written every kSaveEvery new points, so a killed master loses at most that
  // many steps of its charts.
  if (history_.Sample(s.info.now, s.totals) && ++points_unsaved_ >= kSaveEvery) {
    SaveHistory();
    points_unsaved_ = 0;
  }
  s.history = history_.points();
  s.history_step = history_.step();
}

}  // namespace elk::master
