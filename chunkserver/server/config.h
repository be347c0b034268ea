#pragma once
// The chunkserver's settings: the mfschunkserver.cfg keys (as MooseFS names them) and the
// ServerConfig struct the server is built from. Tests fill a ServerConfig directly (ports 0,
// millisecond timeouts, an injected DiskIo); the program reads it from the config files.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "chunkserver/storage/disk_io.h"
#include "common/cfg/config_file.h"
#include "common/cfg/hdd_file.h"
#include "common/cfg/schema.h"
#include "common/net/address.h"
#include "common/status.h"

namespace elk::chunkserver {

using Millis = std::chrono::milliseconds;

struct ServerConfig {
  // Disks (mfshdd.cfg) and the default reserve per disk (HDD_LEAVE_SPACE_DEFAULT).
  std::vector<cfg::HddEntry> disks;
  uint64_t leave_space = uint64_t{256} << 20;
  // Where clients and other chunkservers connect (CSSERV_LISTEN_HOST/PORT); port 0 picks
  // an ephemeral port (ChunkServer::port() tells which).
  net::Address listen{net::kAnyIp, 9422};
  // The address announced to the master; ip 0 = the listen ip, or, when that is "any",
  // the local address of the connection to the master.
  uint32_t announce_ip = 0;
  // The master (MASTER_HOST/PORT). An empty host runs without a master (tests).
  std::string master_host = "mfsmaster";
  uint16_t master_port = 9420;
  Millis master_timeout{10000};  // MASTER_TIMEOUT
  // AUTH_CODE: proven to the master before registering; empty: none (docs/security.md).
  std::string auth_code;
  Millis master_reconnection_delay{5000};  // MASTER_RECONNECTION_DELAY (first retry)
  Millis master_reconnection_max{60000};   // back-off cap
  Millis heartbeat{1000};                  // CSTOMA_SPACE period
  uint32_t chunks_per_register_packet = 10000;
  // Client and chain connections: closed after this long without a frame (CSSERV_TIMEOUT).
  Millis csserv_timeout{5000};
  // ... and closed if they have not said hello within this (HELLO_TIMEOUT).
  Millis hello_timeout{10000};
  // Open data connections in all and from one address (MAX_CONNECTIONS,
  // MAX_CONNECTIONS_PER_IP); 0: no cap.
  uint32_t max_connections = 10000;
  uint32_t max_connections_per_ip = 1000;
  // Background scrub: one chunk tested every this long (HDD_TEST_FREQ); 0 = off.
  Millis test_freq{10000};
  // I/O threads: this many per disk (HDD_IO_THREADS_PER_DISK), at most io_threads_max.
  uint32_t io_threads_per_disk = 2;
  uint32_t io_threads_max = 32;  // WORKERS_MAX
  uint32_t replication_threads = 2;
  // Chunk data through libaio with O_DIRECT where aligned (HDD_AIO = 1); off (the default) =
  // buffered POSIX, measured faster for chained writes (docs/chunkserver.md).
  bool use_aio = false;
  // fsync a chunk file when a write to it ends (HDD_FSYNC_BEFORE_CLOSE); off, the page cache
  // writes it back (as MooseFS by default), and goal >= 2 keeps a second copy meanwhile.
  bool fsync_before_close = false;
  // Disk access; null = the real one (aio or POSIX, per use_aio). Tests pass a FaultDiskIo. Must
  // outlive the server.
  chunkstore::DiskIo* disk_io = nullptr;
};

// Every mfschunkserver.cfg key. Keys MooseFS has that ElkFS does not act on are accepted
// (and listed as such in docs/chunkserver.md) so a MooseFS file loads without warnings.
cfg::Schema ChunkserverKeys();

// Builds a ServerConfig from a loaded mfschunkserver.cfg, reading HDD_CONF_FILENAME too.
Result<ServerConfig> ConfigFromFile(const cfg::ConfigFile& file);

}  // namespace elk::chunkserver
