// The "still working" line of the recursive tools: drawn on a terminal only, never on a
// pipe, never into stdout; erased before the tool prints its result.

#include "mount/tools/progress_line.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "mount/tools/fake_cluster.h"

namespace elk::tools::testing {
namespace {

using namespace std::chrono_literals;

// Both ends of a pipe or a pseudo-terminal, closed at the end of the test.
struct FdPair {
  int read_end = -1;
  int write_end = -1;
  ~FdPair() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
};

FdPair Pipe() {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
  return {fds[0], fds[1]};
}

FdPair Pty() {
  FdPair p;
  EXPECT_EQ(::openpty(&p.read_end, &p.write_end, nullptr, nullptr, nullptr), 0);
  return p;
}

// Whatever is waiting on `fd` now: reads until nothing more comes for 100 ms (at most 50
// reads).
std::string Drain(int fd) {
  std::string out;
  for (int i = 0; i < 50; i++) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) != 1 || (p.revents & POLLIN) == 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

constexpr ProgressLineOptions kFast{.delay = 0ms, .period = 10ms};

TEST(ProgressLine, NothingOnAPipe) {
  FdPair pipe = Pipe();
  {
    ProgressLine line(pipe.write_end, "x: working", kFast);
    EXPECT_FALSE(line.active());
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(Drain(pipe.read_end), "");
  ProgressLine none(-1, "x", kFast);
  EXPECT_FALSE(none.active());
}

TEST(ProgressLine, DrawnOnATerminalAndErasedAtTheEnd) {
  FdPair pty = Pty();
  {
    ProgressLine line(pty.write_end, "x: working", kFast);
    EXPECT_TRUE(line.active());
    std::this_thread::sleep_for(80ms);
  }
  const std::string text = Drain(pty.read_end);
  EXPECT_EQ(text.rfind("\rx: working | 0s\x1b[K", 0), 0u) << text;
  EXPECT_NE(text.find("\rx: working / 0s"), std::string::npos) << text;
  ASSERT_GE(text.size(), 4u);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\x1b[K");  // the line is gone
}

TEST(ProgressLine, QuickWorkLeavesNoTrace) {
  FdPair pty = Pty();
  { ProgressLine line(pty.write_end, "x: working", {.delay = 5s, .period = 10ms}); }
  EXPECT_EQ(Drain(pty.read_end), "");
}

TEST(ProgressLine, ElapsedText) {
  EXPECT_EQ(ElapsedText(0s), "0s");
  EXPECT_EQ(ElapsedText(59s), "59s");
  EXPECT_EQ(ElapsedText(185s), "3m 05s");
}

// A recursive tool against a master that takes a while: stdout is the same bytes whether
// stderr is a terminal, a pipe or nothing; only the terminal sees the line.
TEST(ProgressLine, RecursiveToolsShowItOnATerminalOnly) {
  const std::vector<std::vector<std::string>> runs = {
      {"mfssetgoal", "-r", "3", "tools_demo"},
      {"mfsgetgoal", "-r", "tools_demo"},
      {"mfsrsettrashtime", "600", "tools_demo"},
      {"mfsdirinfo", "tools_demo"},
  };
  for (const auto& argv : runs) {
    SCOPED_TRACE(argv[0]);
    ToolHarness plain;
    const RunResult expected = plain.Run(argv);
    ASSERT_EQ(expected.rc, 0) << expected.err;

    ToolHarness piped;
    FdPair pipe = Pipe();
    piped.tree.walk_time = 60ms;
    piped.progress_fd = pipe.write_end;
    piped.progress = kFast;
    const RunResult p = piped.Run(argv);
    EXPECT_EQ(p.out, expected.out);
    EXPECT_EQ(p.err, expected.err);
    EXPECT_EQ(Drain(pipe.read_end), "");

    ToolHarness tty;
    FdPair pty = Pty();
    tty.tree.walk_time = 60ms;
    tty.progress_fd = pty.write_end;
    tty.progress = kFast;
    const RunResult t = tty.Run(argv);
    EXPECT_EQ(t.out, expected.out);
    EXPECT_EQ(t.err, expected.err);
    const std::string shown = Drain(pty.read_end);
    EXPECT_NE(shown.find("\rtools_demo: the master is walking the tree "), std::string::npos)
        << shown;
    EXPECT_EQ(shown.substr(shown.size() - 4), "\r\x1b[K");
  }
}

TEST(ProgressLine, SingleNodeSetShowsNothing) {
  ToolHarness h;
  FdPair pty = Pty();
  h.tree.walk_time = 60ms;
  h.progress_fd = pty.write_end;
  h.progress = kFast;
  EXPECT_EQ(h.Run({"mfssetgoal", "3", "tools_demo/other.bin"}).rc, 0);
  EXPECT_EQ(Drain(pty.read_end), "");
}

}  // namespace
}  // namespace elk::tools::testing
