// mfsmetalogger: follows the master, keeping its image and changelog. See docs/metalogger.md.
#include <memory>
#include <stop_token>

#include "common/daemon/run_daemon.h"
#include "common/log/log.h"
#include "metalogger/config.h"
#include "metalogger/metalogger.h"

int main(int argc, char** argv) {
  using elk::metalogger::Metalogger;
  std::unique_ptr<Metalogger> ml;
  elk::daemon::DaemonSpec spec;
  spec.program = "mfsmetalogger";
  spec.default_config = "/etc/mfs/mfsmetalogger.cfg";
  spec.schema = elk::metalogger::MetaloggerKeys();
  spec.init = [&](const elk::daemon::DaemonContext& ctx) -> elk::Status {
    auto config = elk::metalogger::MetaloggerConfigFrom(ctx.config);
    if (!config.ok()) return config.status();
    auto created = Metalogger::Create(*config);
    if (!created.ok()) return created.status();
    ml = std::move(*created);
    return elk::Status::Ok();
  };
  spec.serve = [&](std::stop_token stop) {
    std::stop_callback wake(stop, [&] { ml->Stop(); });
    elk::Status s = ml->Run();
    if (!s.ok()) elk::log::Error("mfsmetalogger: {}", s.ToString());
    ml.reset();
    return s.ok() ? 0 : 1;
  };
  return elk::daemon::RunDaemon(argc, argv, spec);
}
