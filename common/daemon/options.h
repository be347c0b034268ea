#pragma once
// The command line every ElkFS server takes, as MooseFS's do:
//
//   mfsmaster [-c CFGFILE] [-f] [-d] [-u] [-a] [-t LOCKTIMEOUT] [-v] [-h]
//             [start|stop|restart|reload|test|kill|isalive]

#include <string>
#include <string_view>

#include "common/status.h"

namespace elk::daemon {

enum class Action { kStart, kStop, kRestart, kReload, kTest, kKill, kIsAlive };

std::string_view ActionName(Action action);

struct DaemonOptions {
  std::string config_path;     // -c; empty: the program's default
  bool foreground = false;     // -f (also set by -d)
  bool debug = false;          // -d
  bool log_undefined = false;  // -u
  bool auto_recovery = false;  // -a, passed through to the program
  int lock_timeout_s = 60;     // -t: how long stop/kill/restart wait for the old process
  bool print_version = false;  // -v
  bool print_help = false;     // -h
  Action action = Action::kStart;
};

// argv[0] is skipped. A bad option or a second action word is a kInval Status whose
// message says what was wrong; the caller prints it and the usage.
Result<DaemonOptions> ParseCommandLine(int argc, const char* const* argv);

// The help text listing every option and action.
std::string Usage(std::string_view program);

}  // namespace elk::daemon
