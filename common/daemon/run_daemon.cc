#include "common/daemon/run_daemon.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "common/daemon/daemonize.h"
#include "common/daemon/pid_lock.h"
#include "common/daemon/process_setup.h"
#include "common/daemon/signals.h"
#include "common/log/log.h"

#ifndef ELKFS_VERSION
#define ELKFS_VERSION "unknown"
#endif

namespace elk::daemon {
namespace {

// -c wins and must exist; otherwise /etc/mfs/X.cfg (as MooseFS), or the defaults without it.
Status LoadConfig(const DaemonSpec& spec, const DaemonOptions& options, cfg::ConfigFile& cfg) {
  cfg.set_log_undefined(options.log_undefined);
  if (!options.config_path.empty()) return cfg.Load(options.config_path);
  return cfg.LoadOrDefaults(spec.default_config);
}

// Sends sig to the running server and waits, up to the lock timeout, for it to let go of
// the lock. Returns 0 when nothing runs any more.
int StopRunning(const DaemonSpec& spec, const std::string& lock, int sig, int timeout_s) {
  auto holder = LockHolder(lock);
  if (!holder) {
    std::fprintf(stderr, "%s is not running\n", spec.program.c_str());
    return 0;
  }
  if (*holder <= 0 || ::kill(*holder, sig) != 0) {
    std::fprintf(stderr, "%s: can't signal pid %d\n", spec.program.c_str(), *holder);
    return 1;
  }
  std::fprintf(stderr, "sent %s to %s (pid %d), waiting for it to end\n",
               sig == SIGKILL ? "SIGKILL" : "SIGTERM", spec.program.c_str(), *holder);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!LockHolder(lock)) {
      std::fprintf(stderr, "%s stopped\n", spec.program.c_str());
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "%s (pid %d) did not end within %d s\n", spec.program.c_str(), *holder,
               timeout_s);
  return 1;
}

int ReportStatus(const DaemonSpec& spec, const std::string& lock, bool quiet) {
  auto holder = LockHolder(lock);
  if (!quiet) {
    if (holder) {
      std::printf("%s pid: %d\n", spec.program.c_str(), *holder);
    } else {
      std::printf("%s is not running\n", spec.program.c_str());
    }
  }
  return holder ? 0 : 1;
}

int SendReload(const DaemonSpec& spec, const std::string& lock) {
  auto holder = LockHolder(lock);
  if (!holder || *holder <= 0) {
    std::fprintf(stderr, "%s is not running\n", spec.program.c_str());
    return 1;
  }
  if (::kill(*holder, SIGHUP) != 0) {
    std::fprintf(stderr, "%s: can't signal pid %d\n", spec.program.c_str(), *holder);
    return 1;
  }
  std::fprintf(stderr, "reload signal sent to %s (pid %d)\n", spec.program.c_str(), *holder);
  return 0;
}

void OnReload(const DaemonSpec& spec, cfg::ConfigFile& cfg) {
  log::Notice("reloading {}", cfg.path());
  if (Status s = cfg.Reload(); !s.ok()) {
    log::Error("config refused, the old one stays in force: {}", s.message());
    return;
  }
  if (!spec.reload) return;
  if (Status s = spec.reload(cfg); !s.ok()) log::Error("reload failed: {}", s.ToString());
}

// The start path after the config is loaded; `reporter` is set when detached.
int Serve(const DaemonSpec& spec, const DaemonOptions& options, cfg::ConfigFile& cfg,
          std::optional<StartupReporter> reporter) {
  auto fail = [&](const std::string& message) {
    log::Error("{}", message);
    if (reporter) reporter->Failed(message);
    return 1;
  };
  if (Status s = ApplyProcessSettings(cfg); !s.ok()) return fail(s.ToString());
  std::string data_path = cfg.GetString("DATA_PATH");
  if (::chdir(data_path.c_str()) != 0)
    return fail(Status::FromErrno(errno, "can't enter DATA_PATH " + data_path).message());
  auto lock = PidLock::Acquire(LockPath(data_path, spec.program));
  if (!lock.ok()) {
    return fail(lock.code() == Code::kLocked
                    ? spec.program + " is already running: " + lock.status().message()
                    : lock.status().message());
  }
  if (Status s = BlockDaemonSignals(); !s.ok()) return fail(s.ToString());
  if (spec.init) {
    if (Status s = spec.init(DaemonContext{cfg, options}); !s.ok())
      return fail("init failed: " + s.ToString());
  }
  std::stop_source stop;
  SignalWatcher watcher;
  Status started = watcher.Start({.on_stop = [&stop] { stop.request_stop(); },
                                  .on_reload = [&spec, &cfg] { OnReload(spec, cfg); }});
  if (!started.ok()) return fail(started.ToString());
  if (reporter) {
    reporter->Ready();
    // stderr is /dev/null from here on; syslog is the log.
    log::Setup({.ident = cfg.GetString("SYSLOG_IDENT"),
                .to_syslog = true,
                .to_stderr = false,
                .min_level = options.debug ? log::Level::kDebug : log::Level::kInfo});
  }
  log::Notice("{} started (pid {})", spec.program, getpid());
  int code = spec.serve ? spec.serve(stop.get_token()) : 0;
  watcher.Stop();
  log::Notice("{} stopped (exit code {})", spec.program, code);
  return code;
}

int Start(const DaemonSpec& spec, const DaemonOptions& options, cfg::ConfigFile& cfg) {
  std::string ident = cfg.GetString("SYSLOG_IDENT");
  // Under systemd (the packaged units run -f) stderr already goes to the journal, which
  // systemd says by setting JOURNAL_STREAM; syslog too would log every line twice.
  bool stderr_is_journal = options.foreground && std::getenv("JOURNAL_STREAM") != nullptr;
  log::Setup({.ident = ident,
              .to_syslog = !stderr_is_journal,
              .to_stderr = true,
              .min_level = options.debug ? log::Level::kDebug : log::Level::kInfo});
  if (options.foreground) return Serve(spec, options, cfg, std::nullopt);
  auto reporter = Daemonize();
  if (!reporter.ok()) {
    log::Error("can't detach: {}", reporter.status().ToString());
    return 1;
  }
  return Serve(spec, options, cfg, std::move(reporter).value());
}

}  // namespace

std::string LockPath(const std::string& data_path, const std::string& program) {
  return data_path + "/." + program + ".lock";
}

int RunDaemon(int argc, char** argv, const DaemonSpec& spec) {
  auto options = ParseCommandLine(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "%s: %s\n%s", spec.program.c_str(), options.status().message().c_str(),
                 Usage(spec.program).c_str());
    return 1;
  }
  if (options->print_help) {
    std::printf("%s", Usage(spec.program).c_str());
    return 0;
  }
  if (options->print_version) {
    std::printf("%s (ElkFS) %s\n", spec.program.c_str(),
                spec.version.empty() ? ELKFS_VERSION : spec.version.c_str());
    return 0;
  }
  log::Setup({.ident = spec.program, .to_syslog = false, .to_stderr = true});
  cfg::Schema schema = spec.schema;
  schema.Merge(CommonDaemonKeys(spec.program));
  cfg::ConfigFile cfg(std::move(schema));
  if (Status s = LoadConfig(spec, *options, cfg); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", spec.program.c_str(), s.message().c_str());
    return 1;
  }
  std::string lock = LockPath(cfg.GetString("DATA_PATH"), spec.program);
  switch (options->action) {
    case Action::kTest:
      return ReportStatus(spec, lock, false);
    case Action::kIsAlive:
      return ReportStatus(spec, lock, true);
    case Action::kReload:
      return SendReload(spec, lock);
    case Action::kStop:
      return StopRunning(spec, lock, SIGTERM, options->lock_timeout_s);
    case Action::kKill:
      return StopRunning(spec, lock, SIGKILL, options->lock_timeout_s);
    case Action::kRestart:
      if (StopRunning(spec, lock, SIGTERM, options->lock_timeout_s) != 0) return 1;
      return Start(spec, *options, cfg);
    case Action::kStart:
      return Start(spec, *options, cfg);
  }
  return 1;
}

}  // namespace elk::daemon
