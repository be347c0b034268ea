// A server with nothing to serve, for the life-cycle test. It leaves markers in DATA_PATH:
// init.marker when initialized, one line in reload.log per reload (with TEST_VALUE), and
// stopped.marker when it stops cleanly. TEST_FAIL_INIT = 1 makes init fail. TEST_GUARD is
// a key that guards access: a bad line naming it refuses the file (a bad TEST_VALUE line
// is skipped).
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "common/daemon/run_daemon.h"

namespace {

std::string DataFile(const elk::cfg::ConfigFile& cfg, const char* name) {
  return cfg.GetString("DATA_PATH") + "/" + name;
}

}  // namespace

int main(int argc, char** argv) {
  elk::daemon::DaemonSpec spec;
  spec.program = "daemon_test_server";
  spec.default_config = "/etc/mfs/daemon_test_server.cfg";
  spec.schema = elk::cfg::Schema{
      elk::cfg::Key::Bool("TEST_FAIL_INIT", false),
      elk::cfg::Key::Integer("TEST_VALUE", 0),
      elk::cfg::Key::Integer("TEST_GUARD", 0).GuardsAccess(),
  };
  const elk::cfg::ConfigFile* config = nullptr;
  spec.init = [&](const elk::daemon::DaemonContext& ctx) -> elk::Status {
    if (ctx.config.GetBool("TEST_FAIL_INIT"))
      return elk::Status(elk::Code::kBadConfig, "refused by TEST_FAIL_INIT");
    config = &ctx.config;
    std::ofstream(DataFile(ctx.config, "init.marker"))
        << (ctx.options.auto_recovery ? "auto\n" : "plain\n");
    return elk::Status::Ok();
  };
  spec.reload = [](const elk::cfg::ConfigFile& cfg) {
    std::ofstream(DataFile(cfg, "reload.log"), std::ios::app)
        << "reload " << cfg.GetInteger("TEST_VALUE") << "\n";
    return elk::Status::Ok();
  };
  spec.serve = [&](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    cv.wait(lock, stop, [] { return false; });
    if (config != nullptr) std::ofstream(DataFile(*config, "stopped.marker")) << "stopped\n";
    return 0;
  };
  return elk::daemon::RunDaemon(argc, argv, spec);
}
