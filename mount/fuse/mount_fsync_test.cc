// fsync(2), fdatasync(2) and O_DSYNC writes on a real mount: once they return, every
// chunkserver may be killed (SIGKILL, no chance to flush or close anything) and the data is
// there after they restart. A kill cannot drop the page cache, so this shows what a crashed
// chunkserver keeps (the chunk file's header with its block CRCs is written by the sync, not
// left in the server's memory); that the sync reaches the disk is counted in
// mount/client/client_test.cc and chunkserver/server/write_sync_test.cc. Fails (never skips)
// without FUSE.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "mount/fuse/mount_cluster.h"
#include "mount/fuse/mount_test_util.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

using namespace std::chrono_literals;
using mount_test::Pattern;
using mount_test::RunCommand;

class MountFsyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.reset(mount_test::StartMountedCluster());
    ASSERT_NE(cluster_, nullptr) << "the cluster did not start";
    // Every file keeps a copy on each of the three chunkservers.
    auto [out, rc] = RunCommand(test::Cluster::BinDir() + "/mfssetgoal 3 " + P(""));
    ASSERT_EQ(rc, 0) << out;
  }
  std::string P(const std::string& rel) const { return cluster_->mount_point() + "/" + rel; }

  // Writes `data` at `offset` through `fd` in 1 MiB pieces.
  static void Write(int fd, const std::vector<char>& data, off_t offset) {
    for (size_t at = 0; at < data.size(); at += 1 << 20) {
      const size_t n = std::min<size_t>(1 << 20, data.size() - at);
      ASSERT_EQ(::pwrite(fd, data.data() + at, n, offset + static_cast<off_t>(at)),
                static_cast<ssize_t>(n));
    }
  }
  void KillAndRestartEveryChunkserver() {
    for (int i = 0; i < 3; ++i)
      cluster_->KillChunkserver(i);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(cluster_->StartChunkserver(i).ok());
  }
  // The file's bytes as the chunkservers have them (past the kernel's cache), retried while
  // the restarted servers register (bounded: 60 s).
  std::string ReadBack(const std::string& path, size_t size) {
    std::string out;
    for (int attempt = 0; attempt < 120; ++attempt) {
      out.assign(size, '?');
      const int fd = ::open(path.c_str(), O_RDONLY);
      if (fd >= 0) {
        (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        size_t got = 0;
        while (got < size) {
          const ssize_t r = ::pread(fd, out.data() + got, size - got, static_cast<off_t>(got));
          if (r <= 0) break;
          got += static_cast<size_t>(r);
        }
        ::close(fd);
        if (got == size) return out;
      }
      std::this_thread::sleep_for(500ms);
    }
    return "unreadable";
  }

  std::unique_ptr<test::Cluster> cluster_;
};

TEST_F(MountFsyncTest, FsyncedDataSurvivesEveryChunkserverKilledAtOnce) {
  // Across a chunk boundary, with a partial block at each end.
  const auto data = Pattern(5 * (1 << 20) + 12345, 71);
  const off_t at = (off_t{64} << 20) - (3 << 20) - 777;
  const int fd = ::open(P("fsynced").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  Write(fd, data, at);
  ASSERT_EQ(::fsync(fd), 0);
  // A second round on the same chunks (a new version of each), synced with fdatasync.
  const auto patch = Pattern(200000, 72);
  Write(fd, patch, at + 1000);
  ASSERT_EQ(::fdatasync(fd), 0);
  KillAndRestartEveryChunkserver();
  ::close(fd);

  std::string want(data.begin(), data.end());
  want.replace(1000, patch.size(), std::string(patch.begin(), patch.end()));
  const std::string got = ReadBack(P("fsynced"), static_cast<size_t>(at) + data.size());
  ASSERT_EQ(got.size(), static_cast<size_t>(at) + data.size()) << got.substr(0, 100);
  EXPECT_TRUE(got.substr(static_cast<size_t>(at)) == want) << "fsynced bytes lost";
}

TEST_F(MountFsyncTest, ODsyncWritesSurviveEveryChunkserverKilledAtOnce) {
  const int fd = ::open(P("dsync").c_str(), O_CREAT | O_WRONLY | O_DSYNC, 0644);
  ASSERT_GE(fd, 0);
  const auto first = Pattern(300000, 73), second = Pattern(4096, 74);
  Write(fd, first, 0);
  Write(fd, second, 150000);
  KillAndRestartEveryChunkserver();  // no fsync: each write returned once it was on disk
  ::close(fd);
  std::string want(first.begin(), first.end());
  want.replace(150000, second.size(), std::string(second.begin(), second.end()));
  EXPECT_TRUE(ReadBack(P("dsync"), want.size()) == want) << "O_DSYNC bytes lost";
}

}  // namespace
}  // namespace elk
