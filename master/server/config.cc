#include "master/server/config.h"

#include <cstdint>

#include "common/net/address.h"
#include "master/ha/etcd_transport.h"

namespace elk::master {

cfg::Schema MasterKeys() {
  using cfg::Key;
  return cfg::Schema{
      // A bad line of a key that guards access stops the master (a default would widen it);
      // any other bad line is warned about and skipped (common/cfg/config_file.h).
      Key::String("EXPORTS_FILENAME", "/etc/mfs/mfsexports.cfg").GuardsAccess(),
      Key::String("TOPOLOGY_FILENAME", "/etc/mfs/mfstopology.cfg"),
      Key::Host("MATOML_LISTEN_HOST", "*").GuardsAccess(),
      Key::Port("MATOML_LISTEN_PORT", 9419),
      Key::Host("MATOCS_LISTEN_HOST", "*").GuardsAccess(),
      Key::Port("MATOCS_LISTEN_PORT", 9420),
      // MooseFS 1.x named the client port MATOCU_*.
      Key::Host("MATOCL_LISTEN_HOST", "*").WithAlias("MATOCU_LISTEN_HOST").GuardsAccess(),
      Key::Port("MATOCL_LISTEN_PORT", 9421).WithAlias("MATOCU_LISTEN_PORT"),
      Key::Host("HTTP_LISTEN_HOST", "*").GuardsAccess(),
      // 0 turns the monitor off (so not Key::Port, which refuses 0).
      Key::Integer("HTTP_LISTEN_PORT", 9425, 0, 65535),
      Key::Integer("HTTP_HISTORY_STEP", 60, 1, 3600),
      Key::Integer("HTTP_MAX_CONNECTIONS", 64, 4, 100000),
      Key::Integer("HTTP_MAX_CONNECTIONS_PER_IP", 4, 0, 100000),
      Key::Duration("MATOCS_TIMEOUT", 10, 2, 3600),
      Key::Duration("MATOML_TIMEOUT", 60, 2, 3600),
      Key::Duration("MATOCL_TIMEOUT", 60, 2, 3600),
      Key::Duration("HELLO_TIMEOUT", 10, 1, 3600),
      Key::Integer("MAX_CONNECTIONS", 10000, 0, 1000000),
      Key::Integer("MAX_CONNECTIONS_PER_IP", 1000, 0, 1000000),
      Key::Integer("CHUNKS_LOOP_TIME", 300, 1, 7200),
      Key::Integer("CHUNKS_LOOP_MIN_TIME", 300, 1, 7200),
      Key::Integer("CHUNKS_LOOP_MAX_CPS", 100000, 1, 10000000),
      // MooseFS 3 lists four limits ("2,1,1,4"); the first, for endangered chunks, is ours.
      Key::Integer("CHUNKS_WRITE_REP_LIMIT", 2, 1, 1000).FirstOfList(),
      Key::Integer("CHUNKS_READ_REP_LIMIT", 10, 1, 1000).FirstOfList(),
      Key::Integer("CHUNKS_DEL_LIMIT", 100, 1, 100000),
      Key::Integer("CHUNKS_SOFT_DEL_LIMIT", 10, 1, 100000),
      Key::Integer("CHUNKS_HARD_DEL_LIMIT", 25, 1, 100000),
      Key::Double("ACCEPTABLE_DIFFERENCE", 0.1, 0.001, 10.0),
      Key::Double("ACCEPTABLE_PERCENTAGE_DIFFERENCE", 1.0, 0.01, 10.0),
      Key::Duration("REPLICATIONS_DELAY_INIT", 300, 0, 86400 * 7),
      Key::Duration("REPLICATIONS_DELAY_DISCONNECT", 3600, 0, 86400 * 7),
      Key::Integer("METADATA_SAVE_FREQ", 1, 1, 24 * 365),
      Key::Integer("BACK_LOGS", 50, 1, 10000),
      Key::Integer("BACK_META_KEEP_PREVIOUS", 1, 0, 99),
      Key::Integer("CHANGELOG_PRESERVE_SECONDS", 1800, 0, 86400 * 7),
      Key::Integer("MISSING_LOG_CAPACITY", 100000, 0, 10000000),
      Key::Duration("SESSION_SUSTAIN_TIME", 86400, 60, 86400 * 7 * 4),
      Key::Duration("LOCKS_GRACE_TIME", 20, 0, 3600),
      Key::Duration("LOCKS_SESSION_TIMEOUT", 30, 1, 86400),
      Key::Duration("EMPTY_TRASH_PERIOD", 1, 1, 3600),
      Key::Integer("EMPTY_TRASH_BATCH", 1000, 1, 1000000),
      Key::Integer("ATIME_MODE", 0, 0, 4),
      Key::Bool("NO_ATIME", false),
      Key::Duration("QUOTA_TIME_LIMIT", 7 * 86400, 0, 86400 * 365),
      Key::Bool("CHANGELOG_SYNC", true),
      Key::String("AUTH_CODE", "").GuardsAccess(),
      // Follow that master (docs/failover.md); skipped, this master would lead beside it.
      Key::String("MASTER_FOLLOW", "").GuardsAccess(),
      // High availability (docs/failover.md): the etcd election chooses the leader.
      Key::String("ETCD_ENDPOINTS", "").GuardsAccess(),  // skipped, the master would run alone
      Key::String("ETCD_PREFIX", "/elkfs/").GuardsAccess(),
      Key::Duration("MASTER_LEASE_TTL", 5, 1, 600),
      Key::String("MASTER_NODE_ID", ""),
      // A change is acknowledged once this many followers have it too (docs/failover.md).
      Key::Integer("MASTER_SYNC_FOLLOWERS", 1, 0, 16),
      Key::Double("MASTER_SYNC_TIMEOUT", 2.0, 0.05, 600.0),
  };
}

namespace {

// The HA keys: ETCD_ENDPOINTS must name reachable-looking http:// URLs, and an HA master
// needs a prefix to elect under.
Status HaConfigFrom(const cfg::ConfigFile& f, HaConfig& out) {
  out.etcd_endpoints = f.GetString("ETCD_ENDPOINTS");
  out.etcd_prefix = f.GetString("ETCD_PREFIX");
  out.lease_ttl = static_cast<uint32_t>(f.GetDuration("MASTER_LEASE_TTL"));
  out.node_id = f.GetString("MASTER_NODE_ID");
  auto endpoints = ha::ParseEndpoints(out.etcd_endpoints);
  if (!endpoints.ok()) {
    return Status(Code::kBadConfig, "ETCD_ENDPOINTS: " + endpoints.status().message());
  }
  if (!endpoints->empty() && out.etcd_prefix.empty()) {
    return Status(Code::kBadConfig, "ETCD_PREFIX: empty");
  }
  return Status::Ok();
}

}  // namespace

Result<MasterConfig> MasterConfigFrom(const cfg::ConfigFile& f) {
  auto u32 = [&](const char* key) { return static_cast<uint32_t>(f.GetInteger(key)); };
  auto secs = [&](const char* key) { return static_cast<uint32_t>(f.GetDuration(key)); };
  MasterConfig c;
  c.data_path = f.GetString("DATA_PATH");
  c.exports_path = f.GetString("EXPORTS_FILENAME");
  c.matoml = {f.GetHost("MATOML_LISTEN_HOST"), f.GetPort("MATOML_LISTEN_PORT")};
  c.matocs = {f.GetHost("MATOCS_LISTEN_HOST"), f.GetPort("MATOCS_LISTEN_PORT")};
  c.matocl = {f.GetHost("MATOCL_LISTEN_HOST"), f.GetPort("MATOCL_LISTEN_PORT")};
  if (auto http_port = static_cast<uint16_t>(f.GetInteger("HTTP_LISTEN_PORT")); http_port != 0) {
    c.http = ListenAddress{f.GetHost("HTTP_LISTEN_HOST"), http_port};
  }
  c.http_history_step = u32("HTTP_HISTORY_STEP");
  c.http_max_connections = u32("HTTP_MAX_CONNECTIONS");
  c.http_max_per_ip = u32("HTTP_MAX_CONNECTIONS_PER_IP");
  c.replication.chunks_loop_time = u32("CHUNKS_LOOP_TIME");
  c.replication.write_rep_limit = u32("CHUNKS_WRITE_REP_LIMIT");
  c.replication.read_rep_limit = u32("CHUNKS_READ_REP_LIMIT");
  c.replication.del_limit = u32("CHUNKS_DEL_LIMIT");
  c.replication.acceptable_difference = f.GetDouble("ACCEPTABLE_DIFFERENCE");
  c.replication.replications_delay_init = secs("REPLICATIONS_DELAY_INIT");
  c.replication.replications_delay_disconnect = secs("REPLICATIONS_DELAY_DISCONNECT");
  c.metadata_save_freq = u32("METADATA_SAVE_FREQ");
  c.back_logs = u32("BACK_LOGS");
  c.back_meta_keep = u32("BACK_META_KEEP_PREVIOUS");
  c.session_sustain_time = secs("SESSION_SUSTAIN_TIME");
  c.locks_grace_time = secs("LOCKS_GRACE_TIME");
  c.locks_session_timeout = secs("LOCKS_SESSION_TIMEOUT");
  c.empty_trash_period = secs("EMPTY_TRASH_PERIOD");
  c.empty_trash_batch = u32("EMPTY_TRASH_BATCH");
  c.matocs_timeout = secs("MATOCS_TIMEOUT");
  c.matoml_timeout = secs("MATOML_TIMEOUT");
  c.matocl_timeout = secs("MATOCL_TIMEOUT");
  c.hello_timeout = secs("HELLO_TIMEOUT");
  c.max_connections = u32("MAX_CONNECTIONS");
  c.max_connections_per_ip = u32("MAX_CONNECTIONS_PER_IP");
  c.changelog_sync = f.GetBool("CHANGELOG_SYNC");
  c.sync_followers = static_cast<int>(f.GetInteger("MASTER_SYNC_FOLLOWERS"));
  c.sync_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(f.GetDouble("MASTER_SYNC_TIMEOUT") * 1000));
  c.auth_code = f.GetString("AUTH_CODE");
  c.follow = f.GetString("MASTER_FOLLOW");
  if (!c.follow.empty()) {
    if (auto a = net::ParseHostPort(c.follow, 9419); !a.ok()) {
      return Status(Code::kBadConfig, "MASTER_FOLLOW: " + a.status().message());
    }
  }
  if (c.data_path.empty()) return Status(Code::kBadConfig, "DATA_PATH: empty");
  ELK_RETURN_IF_ERROR(HaConfigFrom(f, c.ha));
  if (c.ha.enabled() && !c.follow.empty()) {
    // Two sources for one role: refused rather than one silently ignored.
    return Status(Code::kBadConfig,
                  (f.path().empty() ? std::string("mfsmaster.cfg") : f.path()) +
                      ": MASTER_FOLLOW and ETCD_ENDPOINTS are both set; with "
                      "ETCD_ENDPOINTS the election chooses the leader: remove MASTER_FOLLOW");
  }
  return c;
}

}  // namespace elk::master
