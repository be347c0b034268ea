#pragma once
// mfsiscsid.cfg: where the master is, where the portal listens, where the target keeps
// its exports and its admin socket.

#include <cstdint>
#include <string>

#include "common/cfg/config_file.h"
#include "common/cfg/schema.h"

namespace elk::iscsid {

struct IscsidConfig {
  std::string data_path;
  std::string master_host;
  uint16_t master_port = 9421;
  std::string master_password;  // empty: none
  std::string listen_host;
  uint16_t listen_port = 3260;
  std::string portal_address;  // announced in SendTargets and export answers; empty: derived
  std::string iqn_prefix;
  std::string volumes_path;
  uint32_t worker_threads = 32;
  uint64_t read_cache_bytes = 0;
  bool thin_provisioning = true;
  // The portal's guards (a thread per connection): caps at accept and a login deadline.
  uint32_t max_connections = 1024;        // MAX_CONNECTIONS; 0: no cap
  uint32_t max_connections_per_ip = 256;  // MAX_CONNECTIONS_PER_IP; 0: no cap
  uint32_t login_timeout = 15;            // LOGIN_TIMEOUT, seconds
  // Command data held for commands in flight: per connection, and in all.
  uint64_t connection_buffer_bytes = 64ull << 20;  // CONNECTION_BUFFER_SIZE
  uint64_t buffer_bytes = 1ull << 30;              // BUFFER_SIZE
};

cfg::Schema IscsidKeys();
Result<IscsidConfig> IscsidConfigFrom(const cfg::ConfigFile& f);

}  // namespace elk::iscsid
