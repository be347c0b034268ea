#include "cinderdriver/iscsid/config.h"

namespace elk::iscsid {

cfg::Schema IscsidKeys() {
  using cfg::Key;
  return {
      Key::MasterList("MASTER_HOST", "mfsmaster"),
      Key::Port("MASTER_PORT", 9421),
      Key::String("MASTER_PASSWORD", ""),
      Key::Host("ISCSI_LISTEN_HOST", "*").GuardsAccess(),
      Key::Port("ISCSI_LISTEN_PORT", 3260),
      Key::String("ISCSI_PORTAL_ADDRESS", ""),
      Key::String("IQN_PREFIX", "iqn.2026-11.org.elkfs"),
      Key::String("VOLUMES_PATH", "/volumes"),
      Key::Integer("WORKER_THREADS", 32, 1, 1024),
      Key::Size("READ_CACHE_SIZE", "1GiB"),
      Key::Bool("THIN_PROVISIONING", true),
      Key::Integer("MAX_CONNECTIONS", 1024, 0, 100000),
      Key::Integer("MAX_CONNECTIONS_PER_IP", 256, 0, 100000),
      Key::Duration("LOGIN_TIMEOUT", 15, 1, 3600),
      Key::Size("CONNECTION_BUFFER_SIZE", "64MiB"),
      Key::Size("BUFFER_SIZE", "1GiB"),
  };
}

Result<IscsidConfig> IscsidConfigFrom(const cfg::ConfigFile& f) {
  IscsidConfig c;
  c.data_path = f.GetString("DATA_PATH");
  c.master_host = f.GetMasterList("MASTER_HOST");
  c.master_port = f.GetPort("MASTER_PORT");
  c.master_password = f.GetString("MASTER_PASSWORD");
  c.listen_host = f.GetHost("ISCSI_LISTEN_HOST");
  c.listen_port = f.GetPort("ISCSI_LISTEN_PORT");
  c.portal_address = f.GetString("ISCSI_PORTAL_ADDRESS");
  c.iqn_prefix = f.GetString("IQN_PREFIX");
  c.volumes_path = f.GetString("VOLUMES_PATH");
  c.worker_threads = static_cast<uint32_t>(f.GetInteger("WORKER_THREADS"));
  c.read_cache_bytes = f.GetSize("READ_CACHE_SIZE");
  c.thin_provisioning = f.GetBool("THIN_PROVISIONING");
  c.max_connections = static_cast<uint32_t>(f.GetInteger("MAX_CONNECTIONS"));
  c.max_connections_per_ip = static_cast<uint32_t>(f.GetInteger("MAX_CONNECTIONS_PER_IP"));
  c.login_timeout = static_cast<uint32_t>(f.GetDuration("LOGIN_TIMEOUT"));
  c.connection_buffer_bytes = f.GetSize("CONNECTION_BUFFER_SIZE");
  c.buffer_bytes = f.GetSize("BUFFER_SIZE");
  if (c.connection_buffer_bytes == 0 || c.buffer_bytes == 0)
    return Status(Code::kBadConfig, "CONNECTION_BUFFER_SIZE and BUFFER_SIZE: must not be 0");
  if (c.data_path.empty()) return Status(Code::kBadConfig, "DATA_PATH: empty");
  if (c.volumes_path.empty() || c.volumes_path[0] != '/')
    return Status(Code::kBadConfig, "VOLUMES_PATH: must be an absolute path in the file system");
  if (c.iqn_prefix.rfind("iqn.", 0) != 0)
    return Status(Code::kBadConfig, "IQN_PREFIX: must start with 'iqn.'");
  return c;
}

}  // namespace elk::iscsid
