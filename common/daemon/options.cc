#include "common/daemon/options.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

namespace elk::daemon {
namespace {

constexpr std::array<std::pair<std::string_view, Action>, 7> kActions = {{
    {"start", Action::kStart},
    {"stop", Action::kStop},
    {"restart", Action::kRestart},
    {"reload", Action::kReload},
    {"test", Action::kTest},
    {"kill", Action::kKill},
    {"isalive", Action::kIsAlive},
}};

Status Bad(std::string message) {
  return Status(Code::kInval, std::move(message));
}

}  // namespace

std::string_view ActionName(Action action) {
  for (const auto& [name, a] : kActions) {
    if (a == action) return name;
  }
  return "?";
}

Result<DaemonOptions> ParseCommandLine(int argc, const char* const* argv) {
  DaemonOptions options;
  bool have_action = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help") {  // as every other ElkFS program takes it
      options.print_help = true;
      continue;
    }
    if (arg == "--version") {
      options.print_version = true;
      continue;
    }
    if (arg.size() >= 2 && arg[0] == '-') {
      // Flags may be grouped ("-fu"); -c and -t take the rest of the word or the next word.
      for (size_t j = 1; j < arg.size(); ++j) {
        char flag = arg[j];
        if (flag == 'c' || flag == 't') {
          std::string_view value = arg.substr(j + 1);
          if (value.empty()) {
            if (i + 1 >= argc) return Bad(fmt::format("option -{} needs a value", flag));
            value = argv[++i];
          }
          if (flag == 'c') {
            options.config_path = std::string(value);
          } else {
            int seconds = 0;
            auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
            if (ec != std::errc() || ptr != value.data() + value.size() || seconds < 1)
              return Bad(fmt::format("-t: '{}' is not a number of seconds", value));
            options.lock_timeout_s = seconds;
          }
          break;
        }
        switch (flag) {
          case 'f':
            options.foreground = true;
            break;
          case 'd':
            options.debug = options.foreground = true;
            break;
          case 'u':
            options.log_undefined = true;
            break;
          case 'a':
            options.auto_recovery = true;
            break;
          case 'v':
            options.print_version = true;
            break;
          case 'h':
            options.print_help = true;
            break;
          default:
            return Bad(fmt::format("unknown option -{}", flag));
        }
      }
      continue;
    }
    if (have_action) return Bad(fmt::format("more than one action ('{}')", arg));
    bool known = false;
    for (const auto& [name, action] : kActions) {
      if (arg == name) {
        options.action = action;
        known = true;
      }
    }
    if (!known) return Bad(fmt::format("unknown action '{}'", arg));
    have_action = true;
  }
  return options;
}

std::string Usage(std::string_view program) {
  return fmt::format(
      "usage: {0} [-c CFGFILE] [-f] [-d] [-u] [-a] [-t LOCKTIMEOUT] [-v] [-h] [ACTION]\n"
      "\n"
      "  -c CFGFILE     use this config file (default: /etc/mfs/{0}.cfg)\n"
      "  -f             run in the foreground; log to stderr as well as syslog\n"
      "  -d             debug: foreground with debug log lines\n"
      "  -u             log config keys the file leaves at their default\n"
      "  -a             automatic recovery on start (passed to the server)\n"
      "  -t LOCKTIMEOUT seconds that stop/kill/restart wait for the old process (default 60)\n"
      "  -v             print the version and exit\n"
      "  -h             print this help and exit\n"
      "\n"
      "ACTION is one of:\n"
      "  start    start the server (default)\n"
      "  stop     ask the running server to stop, and wait for it\n"
      "  restart  stop, then start\n"
      "  reload   ask the running server to re-read its config files\n"
      "  test     tell whether the server is running (exit 0) or not (exit 1)\n"
      "  kill     kill the running server at once (SIGKILL), and wait for it\n"
      "  isalive  exit 0 when the server is running, 1 when not\n",
      program);
}

}  // namespace elk::daemon
