#include "mount/tools/progress_line.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace elk::tools {

std::string WalkLabel(const std::string& path) {
  return path + ": the master is walking the tree";
}

std::string ElapsedText(std::chrono::seconds elapsed) {
  const auto s = elapsed.count();
  if (s < 60) return fmt::format("{}s", s);
  return fmt::format("{}m {:02}s", s / 60, s % 60);
}

ProgressLine::ProgressLine(int fd, std::string label, ProgressLineOptions options)
    : fd_(fd), label_(std::move(label)), options_(options) {
  if (fd_ < 0 || ::isatty(fd_) != 1) return;
  thread_ = std::thread([this] { Run(); });
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ProgressLine::Write(const std::string& text) const {
  // Best effort: a terminal that went away must not fail the tool.
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

void ProgressLine::Run() {
  static constexpr std::array<char, 4> kSpinner = {'|', '/', '-', '\\'};
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  if (cv_.wait_for(lock, options_.delay, [this] { return stop_; })) return;
  size_t turn = 0;
  do {
    const auto waited =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    // \r and "erase to end of line" redraw in place without scrolling the terminal.
    Write(fmt::format("\r{} {} {}\x1b[K", label_, kSpinner[turn++ % kSpinner.size()],
                      ElapsedText(waited)));
  } while (!cv_.wait_for(lock, options_.period, [this] { return stop_; }));
  Write("\r\x1b[K");
}

}  // namespace elk::tools
