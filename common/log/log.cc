#include "common/log/log.h"

#include <syslog.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace elk::log {
namespace {

struct Sinks {
  std::mutex mu;
  std::string ident = "elkfs";
  bool to_syslog = false;
  bool to_stderr = true;
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
  std::array<std::atomic<uint64_t>, 5> counts{};
};

Sinks& sinks() {
  static Sinks s;
  return s;
}

constexpr std::array<const char*, 5> kNames = {"debug", "info", "notice", "warning", "error"};
constexpr std::array<int, 5> kPriorities = {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR};

}  // namespace

void Setup(const Options& options) {
  Sinks& s = sinks();
  std::lock_guard lock(s.mu);
  if (s.to_syslog) closelog();
  s.ident = options.ident;
  s.to_syslog = options.to_syslog;
  s.to_stderr = options.to_stderr;
  s.min_level = static_cast<int>(options.min_level);
  // openlog keeps the pointer: s.ident lives as long as the process.
  if (s.to_syslog) openlog(s.ident.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void SetMinLevel(Level level) { sinks().min_level = static_cast<int>(level); }

bool Enabled(Level level) { return static_cast<int>(level) >= sinks().min_level.load(); }

uint64_t LinesWritten(Level level) { return sinks().counts[static_cast<size_t>(level)].load(); }

void Write(Level level, std::string_view line) {
  Sinks& s = sinks();
  auto i = static_cast<size_t>(level);
  s.counts[i]++;
  std::lock_guard lock(s.mu);
  if (s.to_syslog) {
    syslog(kPriorities[i], "%.*s", static_cast<int>(line.size()), line.data());
  }
  if (s.to_stderr) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    localtime_r(&ts.tv_sec, &t);
    std::fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%d] %s: %.*s\n", t.tm_hour, t.tm_min, t.tm_sec,
                 ts.tv_nsec / 1000000, s.ident.c_str(), getpid(), kNames[i],
                 static_cast<int>(line.size()), line.data());
  }
}

}  // namespace elk::log
