#include "tests/harness/process.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace elk::test {
namespace {

using namespace std::chrono_literals;

TEST(Process, SpawnsWaitsAndLogs) {
  std::string log = "/tmp/elk-process-test.log";
  ::unlink(log.c_str());
  auto p = Process::Spawn({"/bin/sh", "-c", "echo hello; exit 3"}, log);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Wait(5s), 3);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "hello\n");
  ::unlink(log.c_str());
}

TEST(Process, TerminateStopsAndKillCrashes) {
  auto p = Process::Spawn({"/bin/sleep", "30"}, "/dev/null");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Alive());
  EXPECT_EQ(p->Terminate(5s), 128 + SIGTERM);
  EXPECT_FALSE(p->Alive());
  auto q = Process::Spawn({"/bin/sleep", "30"}, "/dev/null");
  ASSERT_TRUE(q.ok());
  pid_t pid = q->pid();
  q->Kill();
  EXPECT_FALSE(q->Alive());
  EXPECT_NE(::kill(pid, 0), 0) << "the pid is gone";
}

TEST(Process, DestructorKillsWhatTheTestForgot) {
  pid_t pid = 0;
  {
    auto p = Process::Spawn({"/bin/sleep", "30"}, "/dev/null");
    ASSERT_TRUE(p.ok());
    pid = p->pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST(Process, MissingProgramIsAClearError) {
  auto p = Process::Spawn({"/nonexistent/mfsmaster"}, "/dev/null");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("/nonexistent/mfsmaster"), std::string::npos);
}

TEST(Ports, FreePortThenWaitForListener) {
  uint16_t port = FreePort();
  ASSERT_NE(port, 0);
  EXPECT_FALSE(WaitForPort(port, 100ms));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  EXPECT_TRUE(WaitForPort(port, 2s));
  ::close(fd);
}

}  // namespace
}  // namespace elk::test
