#pragma once
// Logging for every ElkFS program: to syslog (as a daemon does) and/or to stderr (in the
// foreground and in tools). Thread-safe; one line per call.
//
//   elk::log::Info("chunkserver {} registered with {} chunks", addr, n);

#include <fmt/format.h>

#include <string_view>

namespace elk::log {

enum class Level { kDebug = 0, kInfo = 1, kNotice = 2, kWarning = 3, kError = 4 };

struct Options {
  std::string_view ident = "elkfs";  // syslog ident, and the stderr prefix
  bool to_syslog = false;
  bool to_stderr = true;
  Level min_level = Level::kInfo;
};

// Configures the process-wide sinks. Call once at start; safe to call again (reload).
void Setup(const Options& options);
void SetMinLevel(Level level);
bool Enabled(Level level);
void Write(Level level, std::string_view line);

// Counts lines written at each level since start (tests read it to check a warning appeared).
uint64_t LinesWritten(Level level);

template <typename... Args>
void Log(Level level, fmt::format_string<Args...> f, Args&&... args) {
  if (!Enabled(level)) return;
  Write(level, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  Log(Level::kDebug, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  Log(Level::kInfo, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Notice(fmt::format_string<Args...> f, Args&&... args) {
  Log(Level::kNotice, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Warning(fmt::format_string<Args...> f, Args&&... args) {
  Log(Level::kWarning, f, std::forward<Args>(args)...);
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  Log(Level::kError, f, std::forward<Args>(args)...);
}

}  // namespace elk::log
