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
#include <memory>
#include <set>
#include <string>

#include "common/cfg/exports_file.h"
#include "common/net/event_loop.h"
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
  ListenAddress listen{"*", 9425};
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

  uint16_t port() const { return http_->port(); }
  // Builds and publishes a snapshot now (the timer's job; tests call it too).
  void Publish();

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

  net::EventLoop& loop_;
  MonitorSources src_;
  MonitorFeedOptions options_;
  uint32_t started_at_ = 0;
  uint32_t ticks_ = 0;
  monitor::ChunkMatrix matrix_;  // from the last walk
  monitor::History history_;
  std::shared_ptr<monitor::SnapshotBox> box_ = std::make_shared<monitor::SnapshotBox>();
  std::unique_ptr<monitor::HttpServer> http_;
  net::TimerId timer_ = net::kNoTimer;
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
