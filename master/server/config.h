#pragma once
// mfsmaster.cfg: the keys mfsmaster knows (MooseFS's names and defaults) and the plain
// struct the server is built from. Tests build a MasterConfig directly (ports 0 allowed);
// the program fills one from the file with MasterConfigFrom().

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/cfg/config_file.h"
#include "common/cfg/schema.h"
#include "common/status.h"
#include "common/changelog/writer.h"
#include "master/replication/config.h"

namespace elk::master {

struct ListenAddress {
  std::string host = "*";
  uint16_t port = 0;  // 0: an ephemeral port (tests)
};

// Master high availability (docs/failover.md): with ETCD_ENDPOINTS set, the etcd election
// chooses the leader (MASTER_FOLLOW must then be empty).
struct HaConfig {
  std::string etcd_endpoints;                  // ETCD_ENDPOINTS: "http://h:p,..."; empty = no HA
  std::string etcd_prefix = "/elkfs/";         // ETCD_PREFIX: the leader key is <prefix>leader
  uint32_t lease_ttl = 5;                      // MASTER_LEASE_TTL, seconds
  std::string node_id;                         // MASTER_NODE_ID: empty = the host name
  std::chrono::milliseconds poll_interval{0};  // tests: how often the key is read; 0 = 200 ms
  bool enabled() const { return !etcd_endpoints.empty(); }
};

struct MasterConfig {
  std::string data_path;            // DATA_PATH
  std::string exports_path;         // EXPORTS_FILENAME; empty: exports_text is used
  std::string exports_text;         // tests: the exports given inline
  ListenAddress matoml{"*", 9419};  // MATOML_LISTEN_HOST/PORT (metaloggers)
  ListenAddress matocs{"*", 9420};  // MATOCS_LISTEN_HOST/PORT (chunkservers)
  ListenAddress matocl{"*", 9421};  // MATOCL_LISTEN_HOST/PORT (clients)
  // HTTP_LISTEN_HOST/PORT, the monitor. Off when unset: embedded test servers bind nothing
  // they were not asked to; the program sets it unless HTTP_LISTEN_PORT is 0.
  std::optional<ListenAddress> http;
  uint32_t http_history_step = 60;     // HTTP_HISTORY_STEP: seconds between the charts' points
  uint32_t http_max_connections = 64;  // HTTP_MAX_CONNECTIONS: held at once, served or waiting
  uint32_t http_max_per_ip = 4;        // HTTP_MAX_CONNECTIONS_PER_IP: served at once, one address
  replication::Config replication;
  uint32_t metadata_save_freq = 1;        // METADATA_SAVE_FREQ, hours
  uint32_t back_logs = 50;                // BACK_LOGS
  uint32_t back_meta_keep = 1;            // BACK_META_KEEP_PREVIOUS
  uint32_t session_sustain_time = 86400;  // SESSION_SUSTAIN_TIME, seconds
  // File locks (docs/locks.md): after a start, seconds the sessions have to reclaim their
  // locks before new ones are granted; seconds a session with locks may stay disconnected.
  uint32_t locks_grace_time = 20;       // LOCKS_GRACE_TIME
  uint32_t locks_session_timeout = 30;  // LOCKS_SESSION_TIMEOUT
  uint32_t empty_trash_period = 1;      // EMPTY_TRASH_PERIOD: seconds between purge ticks
  uint32_t empty_trash_batch = 1000;    // items purged per tick at most
  uint32_t matocs_timeout = 10;         // MATOCS_TIMEOUT: seconds of chunkserver silence
  uint32_t matoml_timeout = 60;         // MATOML_TIMEOUT: seconds of metalogger silence
  uint32_t matocl_timeout = 60;         // MATOCL_TIMEOUT: seconds of client silence
  // Every port: seconds a new connection has for its hello (a client: for its registration).
  uint32_t hello_timeout = 10;  // HELLO_TIMEOUT
  // Every port, counted per port: open connections in all and from one address (0: no cap).
  uint32_t max_connections = 10000;        // MAX_CONNECTIONS
  uint32_t max_connections_per_ip = 1000;  // MAX_CONNECTIONS_PER_IP
  uint32_t chunk_op_timeout = 30;  // a write's chunkserver command unanswered this long fails
  bool changelog_sync = true;
  // MASTER_SYNC_FOLLOWERS: a change is acknowledged once this many followers (as many as are
  // in step, if fewer) have committed it; MASTER_SYNC_TIMEOUT: how long a change waits for
  // one before that follower is left out of the count.
  int sync_followers = 1;
  std::chrono::milliseconds sync_timeout{2000};  // CHANGELOG_SYNC: fdatasync at each commit
  bool auto_recover = false;                     // mfsmaster -a
  // AUTH_CODE: chunkservers and metaloggers must prove it before they register; empty:
  // every one is accepted. Read at start only (docs/security.md).
  std::string auth_code;
  // MASTER_FOLLOW = HOST:PORT, the leader's metalogger port: this master starts as a
  // follower of it. The manual mode, without an election (docs/failover.md).
  std::string follow;
  std::chrono::milliseconds follow_reconnect_delay{1000};  // tests shorten it
  HaConfig ha;
  // Tests only: the changelog's write and fdatasync, to inject failures (empty: the real ones).
  changelog::FileOps changelog_ops;
};

// Every key of mfsmaster.cfg (the daemon's common keys are merged in by RunDaemon).
cfg::Schema MasterKeys();

// The struct from a loaded file. kBadConfig when a key is out of the range the server can
// use (the schema checks most ranges already).
Result<MasterConfig> MasterConfigFrom(const cfg::ConfigFile& file);

}  // namespace elk::master
