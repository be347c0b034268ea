#pragma once
// The life cycle every ElkFS server shares: command line, config, lock file, detaching,
// signals, reload, stop. A server describes itself in a DaemonSpec and hands over main():
//
//   int main(int argc, char** argv) {
//     elk::daemon::DaemonSpec spec;
//     spec.program = "mfsmaster";
//     spec.default_config = "/etc/mfs/mfsmaster.cfg";
//     spec.schema = MasterKeys();
//     spec.init = [&](const elk::daemon::DaemonContext& ctx) { return master.Init(ctx); };
//     spec.serve = [&](std::stop_token stop) { return master.Serve(stop); };
//     spec.reload = [&](const elk::cfg::ConfigFile& cfg) { return master.Reload(cfg); };
//     return elk::daemon::RunDaemon(argc, argv, spec);
//   }

#include <functional>
#include <stop_token>
#include <string>

#include "common/cfg/config_file.h"
#include "common/cfg/schema.h"
#include "common/daemon/options.h"
#include "common/status.h"

namespace elk::daemon {

struct DaemonContext {
  const cfg::ConfigFile& config;
  const DaemonOptions& options;  // options.auto_recovery is -a
};

struct DaemonSpec {
  std::string program;         // "mfsmaster": the lock file name and the syslog default
  std::string version;         // printed by -v; empty: the ElkFS version
  std::string default_config;  // "/etc/mfs/mfsmaster.cfg"
  cfg::Schema schema;          // the server's keys; CommonDaemonKeys() are merged in

  // Opens listeners, loads state. Runs after detaching, the user switch and the lock;
  // its failure is what `start` prints.
  std::function<Status(const DaemonContext&)> init;
  // Serves until stop is requested (SIGTERM/SIGINT), then returns the exit code. Use a
  // std::stop_callback to wake an event loop.
  std::function<int(std::stop_token)> serve;
  // Called after SIGHUP with the re-read config (never with a refused one). Runs on the
  // signal thread: post to your loop if your state is not thread-safe. May be empty.
  std::function<Status(const cfg::ConfigFile&)> reload;
};

// Runs the whole life cycle; returns main()'s exit code.
int RunDaemon(int argc, char** argv, const DaemonSpec& spec);

// <data_path>/.<program>.lock
std::string LockPath(const std::string& data_path, const std::string& program);

}  // namespace elk::daemon
