// mfsmaster: the metadata server. See docs/master.md.
#include <memory>
#include <stop_token>

#include "common/daemon/run_daemon.h"
#include "common/log/log.h"
#include "master/server/config.h"
#include "master/server/master_server.h"

int main(int argc, char** argv) {
  using elk::master::MasterServer;
  std::unique_ptr<MasterServer> master;
  elk::daemon::DaemonSpec spec;
  spec.program = "mfsmaster";
  spec.default_config = "/etc/mfs/mfsmaster.cfg";
  spec.schema = elk::master::MasterKeys();
  spec.init = [&](const elk::daemon::DaemonContext& ctx) -> elk::Status {
    auto config = elk::master::MasterConfigFrom(ctx.config);
    if (!config.ok()) return config.status();
    config->auto_recover = ctx.options.auto_recovery;
    auto server = MasterServer::Create(*config);
    if (!server.ok()) return server.status();
    master = std::move(*server);
    return elk::Status::Ok();
  };
  spec.serve = [&](std::stop_token stop) {
    std::stop_callback wake(stop, [&] { master->Stop(); });
    elk::Status s = master->Run();
    if (!s.ok()) elk::log::Error("mfsmaster: {}", s.ToString());
    master.reset();
    return s.ok() ? 0 : 1;
  };
  spec.reload = [&](const elk::cfg::ConfigFile& cfg) {
    master->ReloadExports();
    return master->ReloadRole(cfg.GetString("MASTER_FOLLOW"));
  };
  return elk::daemon::RunDaemon(argc, argv, spec);
}
