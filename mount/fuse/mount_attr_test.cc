// Attributes kept whole through the real mount: device numbers of mknod, times to the
// nanosecond, times before 1970 and after 2106 - and all of them still exact after the
// master restarts from its changelog (killed) and from its image (stopped cleanly).
// Fails (never skips) without FUSE.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "mount/fuse/mount_test_util.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

using namespace std::chrono_literals;
using mount_test::RunCommand;

struct Device {
  const char* name;
  mode_t type;
  unsigned maj;
  unsigned min;
};
constexpr Device kDevices[] = {
    {"tty", S_IFCHR, 4, 5},
    {"disk", S_IFBLK, 8, 1},
    {"widest", S_IFCHR, 4095, 1048575},  // the largest Linux's 32-bit device number holds
    {"wideblk", S_IFBLK, 259, 65536},
};

struct Times {
  const char* name;
  timespec atime;
  timespec mtime;
};
const Times kTimes[] = {
    {"ns", {1577836800, 123456789}, {1600000000, 987654321}},  // 2020 and 2020, with fractions
    {"y2200", {7258118400, 0}, {7258118400, 1}},               // 2200-01-01, past u32 seconds
    {"y1960", {-315619200, 0}, {-315619200, 500000000}},       // 1960-01-01
    {"epoch", {-1, 999999999}, {0, 1}},                        // either side of 1970
};

class MountAttrTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    auto c = test::Cluster::Start({.chunkservers = 1, .mount = true});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }
  static std::string P(const std::string& rel) { return cluster_->mount_point() + "/" + rel; }

  static void MakeDevices() {
    ASSERT_EQ(::mkdir(P("dev").c_str(), 0755), 0) << std::strerror(errno);
    for (const Device& d : kDevices) {
      ASSERT_EQ(
          ::mknod(P(std::string("dev/") + d.name).c_str(), d.type | 0600, makedev(d.maj, d.min)), 0)
          << d.name << ": " << std::strerror(errno);
    }
  }
  static void ExpectDevices() {
    for (const Device& d : kDevices) {
      struct stat st {};
      ASSERT_EQ(::lstat(P(std::string("dev/") + d.name).c_str(), &st), 0) << d.name;
      EXPECT_EQ(st.st_mode & S_IFMT, d.type) << d.name;
      EXPECT_EQ(major(st.st_rdev), d.maj) << d.name;
      EXPECT_EQ(minor(st.st_rdev), d.min) << d.name;
    }
  }
  static void SetTimes() {
    ASSERT_EQ(::mkdir(P("times").c_str(), 0755), 0) << std::strerror(errno);
    for (const Times& t : kTimes) {
      const std::string f = P(std::string("times/") + t.name);
      const int fd = ::open(f.c_str(), O_CREAT | O_WRONLY, 0644);
      ASSERT_GE(fd, 0) << std::strerror(errno);
      ::close(fd);
      const timespec both[2] = {t.atime, t.mtime};
      ASSERT_EQ(::utimensat(AT_FDCWD, f.c_str(), both, 0), 0) << t.name << std::strerror(errno);
    }
  }
  static void ExpectTimes() {
    for (const Times& t : kTimes) {
      struct stat st {};
      ASSERT_EQ(::stat(P(std::string("times/") + t.name).c_str(), &st), 0) << t.name;
      EXPECT_EQ(st.st_atim.tv_sec, t.atime.tv_sec) << t.name;
      EXPECT_EQ(st.st_atim.tv_nsec, t.atime.tv_nsec) << t.name;
      EXPECT_EQ(st.st_mtim.tv_sec, t.mtime.tv_sec) << t.name;
      EXPECT_EQ(st.st_mtim.tv_nsec, t.mtime.tv_nsec) << t.name;
    }
  }
  // The kernel keeps attributes for mfsattrcacheto (1 s): wait it out, so the next stat
  // asks the (restarted) master.
  static void ForgetCachedAttributes() { std::this_thread::sleep_for(1500ms); }

  static test::Cluster* cluster_;
};
test::Cluster* MountAttrTest::cluster_ = nullptr;

TEST_F(MountAttrTest, MknodKeepsMajorAndMinor) {
  MakeDevices();
  ExpectDevices();
  // As the user saw it: stat's hex major and minor.
  auto [out, rc] = RunCommand("stat -c '%t %T' " + P("dev/tty"));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "4 5\n");
}

TEST_F(MountAttrTest, UtimensatKeepsNanosecondsAndAnyYear) {
  SetTimes();
  ExpectTimes();
  ForgetCachedAttributes();
  ExpectTimes();
}

TEST_F(MountAttrTest, TouchAndStatSeeTheSameTime) {
  const std::string f = P("touched");
  for (const char* when : {"2020-01-01 00:00:00.123456789", "2200-01-01 00:00:00.000000000",
                           "1960-01-01 00:00:00.000000000"}) {
    auto [out, rc] = RunCommand("TZ=UTC touch -d '" + std::string(when) + "' " + f);
    ASSERT_EQ(rc, 0) << out;
    auto [shown, rc2] = RunCommand("TZ=UTC stat -c %y " + f);
    EXPECT_EQ(rc2, 0) << shown;
    EXPECT_EQ(shown, std::string(when) + " +0000\n");
  }
}

TEST_F(MountAttrTest, EverythingStaysExactAfterTheMasterRestarts) {
  // Made by the tests above if they ran; otherwise here (a filtered run).
  struct stat st {};
  if (::stat(P("dev").c_str(), &st) != 0) MakeDevices();
  if (::stat(P("times").c_str(), &st) != 0) SetTimes();
  // Killed: the changelog alone brings them back.
  cluster_->KillMaster();
  ASSERT_TRUE(cluster_->StartMaster(/*auto_recover=*/true).ok());
  ForgetCachedAttributes();
  ExpectDevices();
  ExpectTimes();
  // Stopped cleanly: the image it saved brings them back.
  EXPECT_EQ(cluster_->StopMaster(), 0);
  ASSERT_TRUE(cluster_->StartMaster().ok());
  ForgetCachedAttributes();
  ExpectDevices();
  ExpectTimes();
}

}  // namespace
}  // namespace elk
