#include "common/daemon/pid_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace elk::daemon {
namespace {

class PidLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/elkpidlock_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/.mfsmaster.lock";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
  std::string path_;
};

TEST_F(PidLockTest, SecondAcquireIsRefusedNamingThePid) {
  auto first = PidLock::Acquire(path_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  std::string content;
  std::getline(std::ifstream(path_), content);
  EXPECT_EQ(content, std::to_string(getpid()));

  auto second = PidLock::Acquire(path_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.code(), Code::kLocked);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status().message();
  EXPECT_EQ(LockHolder(path_), getpid());
}

TEST_F(PidLockTest, ReleasedOnDestruction) {
  {
    auto lock = PidLock::Acquire(path_);
    ASSERT_TRUE(lock.ok());
  }
  EXPECT_FALSE(LockHolder(path_).has_value());
  EXPECT_TRUE(PidLock::Acquire(path_).ok());
}

TEST_F(PidLockTest, HeldByAnotherProcessUntilItDies) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = PidLock::Acquire(path_);
    char c = lock.ok() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    pause();  // killed by the parent
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  EXPECT_EQ(c, 'y');
  EXPECT_EQ(LockHolder(path_), child);
  auto mine = PidLock::Acquire(path_);
  EXPECT_FALSE(mine.ok());
  EXPECT_NE(mine.status().message().find("pid " + std::to_string(child)), std::string::npos);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(LockHolder(path_).has_value());
  EXPECT_TRUE(PidLock::Acquire(path_).ok());
}

TEST_F(PidLockTest, MissingDirectoryIsAnError) {
  auto lock = PidLock::Acquire("/nonexistent/dir/.x.lock");
  EXPECT_FALSE(lock.ok());
  EXPECT_EQ(lock.code(), Code::kNoEnt);
  EXPECT_FALSE(LockHolder("/nonexistent/dir/.x.lock").has_value());
}

}  // namespace
}  // namespace elk::daemon
