#include "chunkserver/server/config.h"

#include <algorithm>

namespace elk::chunkserver {

using cfg::Key;

cfg::Schema ChunkserverKeys() {
  return cfg::Schema{
      Key::String("HDD_CONF_FILENAME", "/etc/mfs/mfshdd.cfg"),
      Key::Size("HDD_LEAVE_SPACE_DEFAULT", "256MiB"),
      Key::Duration("HDD_TEST_FREQ", 10, 0, 86400 * 365),
      Key::Integer("HDD_IO_THREADS_PER_DISK", 2, 1, 64),
      Key::Bool("HDD_AIO", false),
      Key::Integer("WORKERS_MAX", 250, 1, 10000),
      Key::Integer("WORKERS_MAX_IDLE", 40, 0, 10000),
      Key::Integer("WORKERS_QUEUE_LENGTH", 250, 1, 1000000),
      Key::Integer("REPLICATION_THREADS", 2, 1, 64),
      Key::Host("BIND_HOST", "*"),
      Key::MasterList("MASTER_HOST", "mfsmaster"),
      Key::Port("MASTER_PORT", 9420),
      Key::Duration("MASTER_TIMEOUT", 10, 1, 3600),
      Key::Duration("MASTER_RECONNECTION_DELAY", 5, 1, 3600),
      Key::Integer("CHUNKS_PER_REGISTER_PACKET", 10000, 100, 1000000),
      Key::Host("CSSERV_LISTEN_HOST", "*").GuardsAccess(),
      Key::Port("CSSERV_LISTEN_PORT", 9422),
      Key::Duration("CSSERV_TIMEOUT", 5, 1, 3600),
      Key::Duration("HELLO_TIMEOUT", 10, 1, 3600),
      Key::Integer("MAX_CONNECTIONS", 10000, 0, 1000000),
      Key::Integer("MAX_CONNECTIONS_PER_IP", 1000, 0, 1000000),
      // Accepted for MooseFS compatibility; not acted on (see docs/chunkserver.md).
      Key::String("AUTH_CODE", ""),
      Key::String("LABELS", ""),
      Key::Bool("HDD_CHECK_CRC_WHEN_READING", true),
      Key::Bool("HDD_CHECK_CRC_WHEN_WRITING", true),
      Key::Bool("HDD_FSYNC_BEFORE_CLOSE", false),
      Key::Bool("HDD_ADVISE_NO_CACHE", false),
      Key::Bool("HDD_PUNCH_HOLES", false),
      Key::Bool("HDD_SPARSIFY_ON_WRITE", true),
      Key::Integer("HDD_RR_CHUNK_COUNT", 10000, 1, 100000000),
      Key::Integer("HDD_ERROR_TOLERANCE_COUNT", 2, 1, 1000),
      Key::Duration("HDD_ERROR_TOLERANCE_PERIOD", 600, 1, 86400),
      Key::Double("HDD_TEST_SPEED", 1.0, 0.0, 1000000.0),
      Key::Duration("HDD_MIN_TEST_INTERVAL", 86400, 0, 86400 * 365),
      Key::Integer("HDD_HIGH_SPEED_REBALANCE_LIMIT", 0, 0, 1000000),
      Key::Double("HDD_REBALANCE_UTILIZATION", 20.0, 0.0, 100.0),
      Key::Integer("REPLICATION_BANDWIDTH_LIMIT_KBPS", 0, 0, INT64_MAX),
      Key::Duration("REPLICATION_TOTAL_TIMEOUT", 60, 1, 86400),
      Key::Duration("REPLICATION_CONNECTION_TIMEOUT", 1, 1, 3600),
      Key::Duration("REPLICATION_WAVE_TIMEOUT", 500, 1, 86400),
      Key::Integer("CSSERV_IDLE_TIMEOUT", 0, 0, INT64_MAX),
      Key::Bool("ALLOW_STARTING_WITH_INVALID_DISKS", false),
      Key::String("CREATE_NEW_CHUNKS_IN_MOOSEFS_FORMAT", ""),
  };
}

static Millis Seconds(int64_t s) {
  return Millis(s * 1000);
}

Result<ServerConfig> ConfigFromFile(const cfg::ConfigFile& file) {
  ServerConfig c;
  auto disks = cfg::LoadHddFile(file.GetString("HDD_CONF_FILENAME"));
  if (!disks.ok()) return disks.status();
  c.disks = std::move(*disks);
  c.leave_space = file.GetSize("HDD_LEAVE_SPACE_DEFAULT");
  auto listen =
      net::Resolve(file.GetHost("CSSERV_LISTEN_HOST"), file.GetPort("CSSERV_LISTEN_PORT"));
  if (!listen.ok()) {
    return Status(Code::kBadConfig, "CSSERV_LISTEN_HOST: " + listen.status().ToString());
  }
  c.listen = *listen;
  c.master_host = file.GetMasterList("MASTER_HOST");
  c.master_port = file.GetPort("MASTER_PORT");
  c.master_timeout = Seconds(file.GetDuration("MASTER_TIMEOUT"));
  c.auth_code = file.GetString("AUTH_CODE");
  c.master_reconnection_delay = Seconds(file.GetDuration("MASTER_RECONNECTION_DELAY"));
  c.master_reconnection_max = std::max(c.master_reconnection_delay, Millis(60000));
  c.chunks_per_register_packet =
      static_cast<uint32_t>(file.GetInteger("CHUNKS_PER_REGISTER_PACKET"));
  c.csserv_timeout = Seconds(file.GetDuration("CSSERV_TIMEOUT"));
  c.hello_timeout = Seconds(file.GetDuration("HELLO_TIMEOUT"));
  c.max_connections = static_cast<uint32_t>(file.GetInteger("MAX_CONNECTIONS"));
  c.max_connections_per_ip = static_cast<uint32_t>(file.GetInteger("MAX_CONNECTIONS_PER_IP"));
  c.test_freq = Seconds(file.GetDuration("HDD_TEST_FREQ"));
  c.io_threads_per_disk = static_cast<uint32_t>(file.GetInteger("HDD_IO_THREADS_PER_DISK"));
  c.io_threads_max = static_cast<uint32_t>(std::min<int64_t>(file.GetInteger("WORKERS_MAX"), 256));
  c.use_aio = file.GetBool("HDD_AIO");
  c.fsync_before_close = file.GetBool("HDD_FSYNC_BEFORE_CLOSE");
  c.replication_threads = static_cast<uint32_t>(file.GetInteger("REPLICATION_THREADS"));
  return c;
}

}  // namespace elk::chunkserver
