#pragma once
// Feeds the HTTP monitor (master/monitor/) from the live master. On the loop thread, once a
// second, it copies what the monitor shows into a fresh Snapshot and publishes it; the HTTP
// threads serve only published snapshots, so they never touch the master's state and the
// loop never waits for them.
//
// File and folder counts come from the namespace's kept counters (no walk). The walk over
// every chunk (the chunk-health matrix) costs time in proportion to the metadata, so on a
// large file system (more than `walk_always_below` nodes and chunks) it runs every
// `walk_every` ticks and its last result is reused in between.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "common/cfg/exports_file.h"
#include "common/net/event_loop.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"
#include "common/status.h"
#include "master/meta/metadata.h"
#include "master/monitor/history.h"
#include "master/monitor/http_server.h"
#include "master/monitor/snapshot.h"
#include "master/server/chunk_loop.h"
#include "master/server/chunkserver_link.h"
#include "master/server/client_link.h"
#include "master/server/config.h"
#include "master/server/metalogger_link.h"
#include "master/sessions/session_table.h"

namespace elk::master {

// What the feed reads; owned by MasterServer, loop thread only.
struct MonitorSources {
  Metadata& meta;
  SessionTable& sessions;
  cfg::ExportsTable& exports;
  ChunkserverHub& chunkservers;
  MetaloggerHub& metaloggers;
  ClientContext& clients;
  std::function<std::set<uint32_t>()> connected_sessions;  // ids held by a live connection
  NowFn now;
  const ChunkLoop* chunk_loop = nullptr;   // replication catch-up; null: not shown
  const RoleState* role = nullptr;         // leader or follower; null: a leader
  std::function<bool()> leader_connected;  // a follower's link streams
};

struct MonitorFeedOptions {
  // HTTP_LISTEN_HOST/PORT; none (HTTP_LISTEN_PORT = 0): no HTTP server, the pages still
  // served on the client port (CLTOMA_MONITOR), e.g. to an mfscgiserv on this host's 9425.
  std::optional<ListenAddress> listen = ListenAddress{"*", 9425};
  std::string history_file;  // DATA_PATH/stats.mfs; empty: the charts are not kept
  std::chrono::milliseconds period{1000};
  uint32_t walk_every = 5;
  size_t walk_always_below = 100000;  // nodes + chunks
  std::string software_version;
  uint32_t history_step = monitor::History::kDefaultStep;  // HTTP_HISTORY_STEP, seconds
  size_t max_connections = 64;                             // HTTP_MAX_CONNECTIONS
  size_t max_per_address = 4;                              // HTTP_MAX_CONNECTIONS_PER_IP
};

class MonitorFeed {
 public:
  // Publishes a first snapshot, starts the HTTP server and the timer.
  static Result<std::unique_ptr<MonitorFeed>> Start(net::EventLoop& loop, MonitorSources sources,
                                                    MonitorFeedOptions options);
  ~MonitorFeed();
  MonitorFeed(const MonitorFeed&) = delete;
  MonitorFeed& operator=(const MonitorFeed&) = delete;

  uint16_t port() const { return http_ ? http_->port() : 0; }  // 0: no HTTP server
  // Builds and publishes a snapshot now (the timer's job; tests call it too).
  void Publish();
  // A page of the published snapshot for the client port. At most kPagesPerSecond are
  // rendered between two snapshots, since a page is rendered on the loop thread: past that
  // the answer is 503 (a caller that does not even hold a session cannot make the loop
  // spend more than a few milliseconds a second on pages).
  static constexpr uint32_t kPagesPerSecond = 20;
  protocol::MatoclMonitor Page(const protocol::CltomaMonitor& request);
  // Writes the charts' points to history_file now (also done every kSaveEvery points and
  // when the feed stops).
  void SaveHistory() const;
  static constexpr size_t kSaveEvery = 10;

 private:
  MonitorFeed(net::EventLoop& loop, MonitorSources sources, MonitorFeedOptions options);
  void Walk();
  void FillInfo(monitor::Snapshot& s) const;
  void FillChunkservers(monitor::Snapshot& s);
  void FillDisks(monitor::Snapshot& s) const;
  void FillReplication(monitor::Snapshot& s) const;
  void FillSessions(monitor::Snapshot& s) const;
  void FillLocks(monitor::Snapshot& s) const;
  void FillOpenFiles(monitor::Snapshot& s) const;
  void FillMetaloggers(monitor::Snapshot& s) const;
  void FillExports(monitor::Snapshot& s) const;
  void FillOps(monitor::Snapshot& s);
  void LoadHistory();
  void FillServerHistory(monitor::Snapshot& s);

  net::EventLoop& loop_;
  MonitorSources src_;
  MonitorFeedOptions options_;
  uint32_t started_at_ = 0;
  uint32_t ticks_ = 0;
  monitor::ChunkMatrix matrix_;  // from the last walk
  monitor::History history_;
  // Each chunkserver's chart, by address; its points copied when one closes (once a step),
  // so a snapshot shares them rather than copying a day of points every second.
  struct ServerChart {
    explicit ServerChart(uint32_t step) : history(step) {}
    monitor::History history;
    std::shared_ptr<const std::vector<monitor::HistoryPoint>> points =
        std::make_shared<const std::vector<monitor::HistoryPoint>>();
  };
  std::map<std::string, ServerChart> server_history_;
  std::shared_ptr<monitor::SnapshotBox> box_ = std::make_shared<monitor::SnapshotBox>();
  std::unique_ptr<monitor::HttpServer> http_;
  net::TimerId timer_ = net::kNoTimer;
  uint32_t pages_this_second_ = 0;
  size_t points_unsaved_ = 0;
};

// Every chunk counted by goal and valid copies (one pass over the registry).
monitor::ChunkMatrix HealthMatrix(const ChunkRegistry& registry);

// "ok", "damaged", "marked for removal", "read-only".
std::string DiskStateText(protocol::DiskState state);

// The export-options column as mfsexports.cfg would spell it ("rw,alldirs,maproot=0:0").
std::string ExportOptionsText(const cfg::ExportOptions& o);
// The ADDRESS column: "*", "10.0.0.1", or "10.0.0.0-10.0.0.255".
std::string ExportAddressText(const cfg::AddressRange& r);

}  // namespace elk::master
