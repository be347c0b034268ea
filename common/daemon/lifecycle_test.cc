// Starts daemon_test_server for real (detached and in the foreground) in a temporary
// DATA_PATH and drives it with the actions, as an operator would.
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/daemon/pid_lock.h"
#include "common/daemon/run_daemon.h"

namespace elk::daemon {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  int code = -1;
  std::string output;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool FileExists(const std::string& path) {
  return access(path.c_str(), F_OK) == 0;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

// Exited: no such process, or a zombie nobody has reaped yet (the detached server's
// parent is whatever reaper the machine has, if any).
bool Gone(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/elkdaemon_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    cfg_ = dir_ + "/test.cfg";
    lock_ = LockPath(dir_, "daemon_test_server");
    WriteConfig("TEST_VALUE = 1\n");
  }

  void TearDown() override {
    // Whatever happened, leave no server behind.
    if (auto pid = LockHolder(lock_); pid && *pid > 0) {
      kill(*pid, SIGKILL);
      WaitFor([&] { return !LockHolder(lock_).has_value(); }, 5s);
    }
    std::string cmd = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }

  void WriteConfig(const std::string& extra) {
    passwd* me = getpwuid(getuid());
    std::ofstream(cfg_) << "# test config\n"
                        << "DATA_PATH = " << dir_ << "\n"
                        << "SYSLOG_IDENT = elk_daemon_test\n"
                        << "NICE_LEVEL = 0\n"
                        << "WORKING_USER = " << (me ? me->pw_name : "root") << "\n"
                        << extra;
  }

  Outcome Run(const std::string& args) {
    std::string cmd = "timeout 30 " DAEMON_TEST_SERVER " -c " + cfg_ + " " + args + " 2>&1";
    Outcome out;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[512];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
      out.output.append(buffer, n);
    int status = pclose(pipe);
    out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }

  pid_t Holder() { return LockHolder(lock_).value_or(0); }

  std::string dir_, cfg_, lock_;
};

TEST_F(LifecycleTest, StartTestReloadStop) {
  Outcome start = Run("start");
  ASSERT_EQ(start.code, 0) << start.output;
  EXPECT_TRUE(FileExists(dir_ + "/init.marker"));
  pid_t pid = Holder();
  ASSERT_GT(pid, 0);
  EXPECT_NE(pid, getpid());

  Outcome test = Run("test");
  EXPECT_EQ(test.code, 0);
  EXPECT_NE(test.output.find("pid: " + std::to_string(pid)), std::string::npos) << test.output;
  EXPECT_EQ(Run("isalive").code, 0);

  Outcome again = Run("start");
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.output.find("already running"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("pid " + std::to_string(pid)), std::string::npos) << again.output;

  WriteConfig("TEST_VALUE = 2\n");
  ASSERT_EQ(Run("reload").code, 0);
  EXPECT_TRUE(WaitFor([&] { return ReadFile(dir_ + "/reload.log") == "reload 2\n"; }))
      << ReadFile(dir_ + "/reload.log");

  // A bad line naming a key that guards access refuses the file on SIGHUP: the server
  // keeps running with the old values.
  WriteConfig("TEST_VALUE = 5\nTEST_GUARD = two\n");
  ASSERT_EQ(kill(pid, SIGHUP), 0);
  std::this_thread::sleep_for(300ms);
  WriteConfig("TEST_VALUE = 3\n");
  ASSERT_EQ(Run("reload").code, 0);
  EXPECT_TRUE(WaitFor([&] { return ReadFile(dir_ + "/reload.log") == "reload 2\nreload 3\n"; }))
      << ReadFile(dir_ + "/reload.log");
  EXPECT_EQ(Holder(), pid);

  Outcome stop = Run("stop");
  EXPECT_EQ(stop.code, 0) << stop.output;
  EXPECT_FALSE(LockHolder(lock_).has_value());
  EXPECT_TRUE(FileExists(dir_ + "/stopped.marker"));
  EXPECT_TRUE(WaitFor([&] { return Gone(pid); }, 5s));
  Outcome after = Run("test");
  EXPECT_EQ(after.code, 1);
  EXPECT_NE(after.output.find("not running"), std::string::npos);
  EXPECT_EQ(Run("isalive").code, 1);
  EXPECT_EQ(Run("reload").code, 1);
}

TEST_F(LifecycleTest, FailedInitMakesStartFailWithTheReason) {
  WriteConfig("TEST_FAIL_INIT = 1\n");
  Outcome start = Run("start");
  EXPECT_EQ(start.code, 1);
  EXPECT_NE(start.output.find("refused by TEST_FAIL_INIT"), std::string::npos) << start.output;
  EXPECT_FALSE(LockHolder(lock_).has_value());
}

TEST_F(LifecycleTest, BadConfigIsRefusedBeforeStarting) {
  WriteConfig("TEST_GUARD = many\n");
  Outcome start = Run("start");
  EXPECT_EQ(start.code, 1);
  EXPECT_NE(start.output.find(cfg_ + ":6: TEST_GUARD: 'many' is not an integer"), std::string::npos)
      << start.output;
}

// As MooseFS does: a bad line of an ordinary key is named and skipped, the key keeps its
// default, and the server starts.
TEST_F(LifecycleTest, BadLineIsSkippedWithFileAndLine) {
  WriteConfig("TEST_VALUE = many\n");
  Outcome start = Run("start");
  EXPECT_EQ(start.code, 0) << start.output;
  EXPECT_NE(start.output.find(cfg_ + ":6: TEST_VALUE: 'many' is not an integer (line skipped)"),
            std::string::npos)
      << start.output;
  EXPECT_EQ(Run("stop").code, 0);
}

TEST_F(LifecycleTest, RestartReplacesTheProcessAndKillEndsIt) {
  ASSERT_EQ(Run("-a start").code, 0);
  EXPECT_EQ(ReadFile(dir_ + "/init.marker"), "auto\n");
  pid_t first = Holder();
  Outcome restart = Run("restart");
  ASSERT_EQ(restart.code, 0) << restart.output;
  pid_t second = Holder();
  EXPECT_GT(second, 0);
  EXPECT_NE(first, second);
  EXPECT_EQ(ReadFile(dir_ + "/init.marker"), "plain\n");
  std::remove((dir_ + "/stopped.marker").c_str());

  Outcome killed = Run("kill");
  EXPECT_EQ(killed.code, 0) << killed.output;
  EXPECT_FALSE(LockHolder(lock_).has_value());
  EXPECT_FALSE(FileExists(dir_ + "/stopped.marker"));  // SIGKILL: no clean stop
  EXPECT_EQ(Run("stop").code, 0);                      // nothing to stop is fine
}

TEST_F(LifecycleTest, ForegroundStopsCleanlyOnSigterm) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl(DAEMON_TEST_SERVER, DAEMON_TEST_SERVER, "-f", "-c", cfg_.c_str(), nullptr);
    _exit(127);
  }
  bool up = WaitFor([&] { return Holder() == child; });
  if (up) kill(child, SIGTERM);
  int status = 0;
  bool ended = WaitFor([&] { return waitpid(child, &status, WNOHANG) == child; });
  if (!ended) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  ASSERT_TRUE(up);
  ASSERT_TRUE(ended);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(FileExists(dir_ + "/stopped.marker"));
}

TEST_F(LifecycleTest, VersionHelpAndUsageErrors) {
  Outcome version = Run("-v");
  EXPECT_EQ(version.code, 0);
  EXPECT_NE(version.output.find("daemon_test_server (ElkFS) "), std::string::npos);
  Outcome help = Run("-h");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("isalive"), std::string::npos);
  Outcome bad = Run("-x");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.output.find("unknown option -x"), std::string::npos);
  EXPECT_NE(bad.output.find("usage:"), std::string::npos);
}

TEST_F(LifecycleTest, MissingExplicitConfigIsAnError) {
  std::remove(cfg_.c_str());
  Outcome start = Run("start");
  EXPECT_EQ(start.code, 1);
  EXPECT_NE(start.output.find(cfg_), std::string::npos) << start.output;
}

}  // namespace
}  // namespace elk::daemon
