// mfsmount through the real kernel: a cluster of real programs, mounted with FUSE, used with
// plain POSIX calls. Fails (never skips) when FUSE is not usable here.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mount/fuse/mount_test_util.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

using mount_test::Pattern;
using mount_test::ReadFile;
using mount_test::RunCommand;
using mount_test::WriteFile;

class MountTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    auto c = test::Cluster::Start({.chunkservers = 3, .mount = true});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }
  std::string P(const std::string& rel) const { return cluster_->mount_point() + "/" + rel; }

  static test::Cluster* cluster_;
};
test::Cluster* MountTest::cluster_ = nullptr;

TEST_F(MountTest, FilesOfManySizesReadBack) {
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0) << std::strerror(errno);
  uint32_t seed = 1;
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{65536}, size_t{(1u << 20) + 7}, size_t{70u << 20}}) {
    const std::string path = P("d/f" + std::to_string(size));
    auto data = Pattern(size, seed++);
    ASSERT_TRUE(WriteFile(path, data)) << path << ": " << std::strerror(errno);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), size);
    EXPECT_TRUE(ReadFile(path) == data) << path;
  }
}

TEST_F(MountTest, RenameUnlinkRmdir) {
  ASSERT_EQ(::mkdir(P("r").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(P("r/a"), Pattern(100, 5)));
  ASSERT_EQ(::rename(P("r/a").c_str(), P("r/b").c_str()), 0) << std::strerror(errno);
  struct stat st {};
  EXPECT_EQ(::stat(P("r/a").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(::stat(P("r/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 100);
  EXPECT_EQ(::rmdir(P("r").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  ASSERT_EQ(::unlink(P("r/b").c_str()), 0);
  EXPECT_EQ(::stat(P("r/b").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(::rmdir(P("r").c_str()), 0) << std::strerror(errno);
}

TEST_F(MountTest, SymlinksAndHardLinks) {
  ASSERT_TRUE(WriteFile(P("target"), Pattern(10, 6)));
  ASSERT_EQ(::symlink("target", P("sl").c_str()), 0) << std::strerror(errno);
  char buf[256] = {};
  ssize_t n = ::readlink(P("sl").c_str(), buf, sizeof(buf) - 1);
  ASSERT_EQ(n, 6);
  EXPECT_STREQ(buf, "target");
  EXPECT_TRUE(ReadFile(P("sl")) == Pattern(10, 6));
  ASSERT_EQ(::link(P("target").c_str(), P("hl").c_str()), 0) << std::strerror(errno);
  struct stat st {};
  ASSERT_EQ(::stat(P("hl").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(st.st_size, 10);
}

TEST_F(MountTest, MasterInfoIsReadableAndHidden) {
  std::ifstream in(P(".masterinfo"));
  ASSERT_TRUE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_NE(s.str().find("master=127.0.0.1:" + std::to_string(cluster_->client_port())),
            std::string::npos)
      << s.str();
  EXPECT_NE(s.str().find("session="), std::string::npos);
  bool listed = false;
  for (const auto& e : std::filesystem::directory_iterator(cluster_->mount_point()))
    if (e.path().filename() == ".masterinfo") listed = true;
  EXPECT_FALSE(listed);
}

TEST_F(MountTest, TruncateAndAppend) {
  ASSERT_TRUE(WriteFile(P("t"), Pattern(200000, 7)));
  ASSERT_EQ(::truncate(P("t").c_str(), 1000), 0);
  auto data = Pattern(200000, 7);
  data.resize(1000);
  EXPECT_TRUE(ReadFile(P("t")) == data);
  int fd = ::open(P("t").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "xyz", 3), 3);
  ASSERT_EQ(::close(fd), 0);
  data.insert(data.end(), {'x', 'y', 'z'});
  EXPECT_TRUE(ReadFile(P("t")) == data);
}

// Runs a shell command; its standard output and exit status.

// -r requests run on the master a slice at a time; the tools print the same counts.
TEST_F(MountTest, RecursiveToolsThroughTheMaster) {
  ASSERT_EQ(::mkdir(P("rtree").c_str(), 0755), 0);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(WriteFile(P("rtree/f" + std::to_string(i)), Pattern(10, 9)));
  const std::string bin = test::Cluster::BinDir();
  auto [set_out, set_rc] = RunCommand(bin + "/mfssetgoal -r 4 " + P("rtree"));
  EXPECT_EQ(set_rc, 0) << set_out;
  EXPECT_EQ(set_out, P("rtree") +
                         ":\n"
                         " inodes with goal changed:                       4\n"
                         " inodes with goal not changed:                   0\n"
                         " inodes with permission denied:                  0\n");
  auto [get_out, get_rc] = RunCommand(bin + "/mfsgetgoal -r " + P("rtree"));
  EXPECT_EQ(get_rc, 0) << get_out;
  EXPECT_EQ(get_out, P("rtree") +
                         ":\n"
                         " files with goal                4 :          3\n"
                         " directories with goal          4 :          1\n");
}

TEST_F(MountTest, ToolsTalkToTheMaster) {
  ASSERT_TRUE(WriteFile(P("goalfile"), Pattern(100000, 8)));
  const std::string bin = test::Cluster::BinDir();
  auto [set_out, set_rc] = RunCommand(bin + "/mfssetgoal 3 " + P("goalfile"));
  EXPECT_EQ(set_rc, 0) << set_out;
  auto [get_out, get_rc] = RunCommand(bin + "/mfsgetgoal " + P("goalfile"));
  EXPECT_EQ(get_rc, 0) << get_out;
  EXPECT_EQ(get_out, P("goalfile") + ": 3\n");
  auto [info_out, info_rc] = RunCommand(bin + "/mfsfileinfo " + P("goalfile"));
  EXPECT_EQ(info_rc, 0) << info_out;
  EXPECT_NE(info_out.find("chunk 0:"), std::string::npos) << info_out;
  EXPECT_NE(info_out.find("copy 1: 127.0.0.1:"), std::string::npos) << info_out;
  auto [tt_out, tt_rc] = RunCommand(bin + "/mfsgettrashtime " + P("goalfile"));
  EXPECT_EQ(tt_rc, 0) << tt_out;
}

TEST_F(MountTest, UnreachableMasterFailsClearly) {
  const std::string dir = cluster_->dir() + "/nomaster";
  std::filesystem::create_directories(dir);
  auto [out, rc] =
      RunCommand(test::Cluster::BinDir() + "/mfsmount " + dir + " -f -H 127.0.0.1 -P 1");
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("master"), std::string::npos) << out;
  auto [out2, rc2] =
      RunCommand(test::Cluster::BinDir() + "/mfsmount " + dir + " -f -H 127.0.0.1 -P " +
                 std::to_string(cluster_->client_port()) + " -S /no/such/folder");
  EXPECT_NE(rc2, 0) << out2;
  EXPECT_NE(out2.find("refused"), std::string::npos) << out2;
}

bool Mounted(const std::string& dir) {
  std::ifstream in("/proc/mounts");
  std::string line;
  while (std::getline(in, line))
    if (line.find(" " + dir + " ") != std::string::npos) return true;
  return false;
}

TEST_F(MountTest, SigtermUnmountsCleanly) {
  const std::string dir = cluster_->dir() + "/sigterm";
  std::filesystem::create_directories(dir);
  const std::string bin = test::Cluster::BinDir() + "/mfsmount";
  const std::string port = std::to_string(cluster_->client_port());
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(bin.c_str(), "mfsmount", dir.c_str(), "-f", "-H", "127.0.0.1", "-P", port.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    up = Mounted(dir);
    if (!up) ::usleep(50000);
  }
  EXPECT_TRUE(up);
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(Mounted(dir));
  if (Mounted(dir)) (void)RunCommand("fusermount3 -u " + dir);
}

TEST_F(MountTest, DaemonModeServesAfterFork) {
  const std::string dir = cluster_->dir() + "/daemon";
  std::filesystem::create_directories(dir);
  auto [out, rc] = RunCommand(test::Cluster::BinDir() + "/mfsmount " + dir + " -H 127.0.0.1 -P " +
                              std::to_string(cluster_->client_port()));
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(Mounted(dir));
  EXPECT_TRUE(WriteFile(dir + "/from-daemon", Pattern(70000, 11)));
  EXPECT_TRUE(ReadFile(dir + "/from-daemon") == Pattern(70000, 11));
  EXPECT_TRUE(ReadFile(P("from-daemon")) == Pattern(70000, 11));
  auto [uout, urc] = RunCommand("fusermount3 -u " + dir);
  EXPECT_EQ(urc, 0) << uout;
  EXPECT_FALSE(Mounted(dir));
}

TEST_F(MountTest, SubfolderMount) {
  ASSERT_EQ(::mkdir(P("sub").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("sub/inner").c_str(), 0755), 0);
  const std::string dir = cluster_->dir() + "/subfolder";
  std::filesystem::create_directories(dir);
  auto [out, rc] =
      RunCommand(test::Cluster::BinDir() + "/mfsmount " + dir + " -H 127.0.0.1 -P " +
                 std::to_string(cluster_->client_port()) + " -S /sub -o mfsattrcacheto=0");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(WriteFile(dir + "/inner/f", Pattern(5000, 12)));
  EXPECT_TRUE(ReadFile(P("sub/inner/f")) == Pattern(5000, 12));
  struct stat st {};
  EXPECT_EQ(::stat((dir + "/inner").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(::stat((dir + "/sub").c_str(), &st), -1);
  // The tools work inside a subfolder mount: they join its session with its folder.
  auto [set_out, set_rc] =
      RunCommand(test::Cluster::BinDir() + "/mfssetgoal 3 " + dir + "/inner/f 2>&1");
  EXPECT_EQ(set_rc, 0) << set_out;
  EXPECT_EQ(set_out, dir + "/inner/f: goal: 3\n");
  auto [get_out, get_rc] = RunCommand(test::Cluster::BinDir() + "/mfsgetgoal " + dir + "/inner/f");
  EXPECT_EQ(get_rc, 0) << get_out;
  EXPECT_EQ(get_out, dir + "/inner/f: 3\n");
  auto [uout, urc] = RunCommand("fusermount3 -u " + dir);
  EXPECT_EQ(urc, 0) << uout;
}

// mfsmount -c: the master, the subfolder and the mount point from the file; the command
// line still wins (here -S). A bad line stops mfsmount before it mounts.
TEST_F(MountTest, ConfigFileGivesDefaults) {
  ASSERT_EQ(::mkdir(P("cfgsub").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("other").c_str(), 0755), 0);
  const std::string dir = cluster_->dir() + "/from-cfg";
  std::filesystem::create_directories(dir);
  const std::string cfg = cluster_->dir() + "/mfsmount.cfg";
  std::ofstream(cfg) << "# written by the test\n"
                     << "mfsmaster = 127.0.0.1\n"
                     << "mfsport = " << cluster_->client_port() << "\n"
                     << "mfssubfolder = /cfgsub\n"
                     << dir << "\n";
  auto [out, rc] = RunCommand(test::Cluster::BinDir() + "/mfsmount -c " + cfg + " -S /other");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(Mounted(dir));
  EXPECT_TRUE(WriteFile(dir + "/f", Pattern(3000, 13)));
  EXPECT_TRUE(ReadFile(P("other/f")) == Pattern(3000, 13));  // -S beat mfssubfolder
  auto [uout, urc] = RunCommand("fusermount3 -u " + dir);
  EXPECT_EQ(urc, 0) << uout;

  std::ofstream(cfg) << "mfsmaster = 127.0.0.1\nmfsport = none\n";
  auto [bad, bad_rc] = RunCommand(test::Cluster::BinDir() + "/mfsmount " + dir + " -c " + cfg);
  EXPECT_EQ(bad_rc, 2) << bad;
  EXPECT_NE(bad.find(cfg + ":2: mfsport: 'none' is not a port"), std::string::npos) << bad;
  EXPECT_FALSE(Mounted(dir));
}

}  // namespace
}  // namespace elk
