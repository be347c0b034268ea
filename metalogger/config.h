#pragma once
// mfsmetalogger.cfg: the keys and the parsed configuration.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/cfg/config_file.h"
#include "common/cfg/schema.h"
#include "common/status.h"

namespace elk::metalogger {

struct MetaloggerConfig {
  std::string data_path;                  // DATA_PATH
  std::string master_host = "mfsmaster";  // MASTER_HOST
  uint16_t master_port = 9419;            // MASTER_PORT
  std::string bind_host = "*";            // BIND_HOST (local address for the link)
  uint32_t back_logs = 50;                // BACK_LOGS
  std::chrono::milliseconds download_every{24 * 3600 * 1000};  // META_DOWNLOAD_FREQ (hours)
  std::chrono::milliseconds reconnect_delay{5000};             // MASTER_RECONNECTION_DELAY
  std::chrono::milliseconds timeout{60000};                    // MASTER_TIMEOUT
  std::string version = "elkfs";
  // AUTH_CODE: proven to the master before registering; empty: none (docs/security.md).
  std::string auth_code;
};

cfg::Schema MetaloggerKeys();
Result<MetaloggerConfig> MetaloggerConfigFrom(const cfg::ConfigFile& file);

}  // namespace elk::metalogger
