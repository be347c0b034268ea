#include "metalogger/config.h"

namespace elk::metalogger {

cfg::Schema MetaloggerKeys() {
  using cfg::Key;
  return cfg::Schema{
      Key::MasterList("MASTER_HOST", "mfsmaster"),
      Key::Port("MASTER_PORT", 9419),
      Key::Host("BIND_HOST", "*"),
      Key::Integer("BACK_LOGS", 50, 1, 10000),
      Key::Integer("META_DOWNLOAD_FREQ", 24, 1, 24 * 365),
      Key::Duration("MASTER_RECONNECTION_DELAY", 5, 1, 3600),
      Key::Duration("MASTER_TIMEOUT", 60, 2, 3600),
      Key::String("AUTH_CODE", ""),
  };
}

Result<MetaloggerConfig> MetaloggerConfigFrom(const cfg::ConfigFile& f) {
  MetaloggerConfig c;
  c.data_path = f.GetString("DATA_PATH");
  c.master_host = f.GetMasterList("MASTER_HOST");
  c.master_port = f.GetPort("MASTER_PORT");
  c.bind_host = f.GetHost("BIND_HOST");
  c.back_logs = static_cast<uint32_t>(f.GetInteger("BACK_LOGS"));
  c.download_every = std::chrono::hours(f.GetInteger("META_DOWNLOAD_FREQ"));
  c.reconnect_delay = std::chrono::seconds(f.GetDuration("MASTER_RECONNECTION_DELAY"));
  c.timeout = std::chrono::seconds(f.GetDuration("MASTER_TIMEOUT"));
  c.auth_code = f.GetString("AUTH_CODE");
  if (c.data_path.empty()) return Status(Code::kBadConfig, "DATA_PATH: empty");
  return c;
}

}  // namespace elk::metalogger
