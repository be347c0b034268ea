// What a user of the mount does, through the real kernel on a real cluster: sizes across
// block and chunk boundaries, errors with their errno, concurrent writers, a reader beside
// a writer, goals reaching their copies, snapshots, a chunkserver dying under a reader and
// the master restarting under open files. Fails (never skips) without FUSE.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "mount/fuse/mount_test_util.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

using namespace std::chrono_literals;

using mount_test::Pattern;
using mount_test::ReadFile;
using mount_test::RunCommand;
using mount_test::WriteAll;
using mount_test::WriteFile;

class MountPosixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    auto c = test::Cluster::Start(
        {.chunkservers = 3, .mount = true, .master_cfg = {{"REPLICATIONS_DELAY_INIT", "0"}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c).release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }
  std::string P(const std::string& rel) const { return cluster_->mount_point() + "/" + rel; }
  std::string Tool(const std::string& name) const { return test::Cluster::BinDir() + "/" + name; }

  static test::Cluster* cluster_;
};
test::Cluster* MountPosixTest::cluster_ = nullptr;

TEST_F(MountPosixTest, SizesAcrossBlockAndChunkBoundaries) {
  ASSERT_EQ(::mkdir(P("sizes").c_str(), 0755), 0) << std::strerror(errno);
  const size_t kChunk = size_t{64} << 20;
  uint32_t seed = 10;
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{65537}, kChunk - 1,
                      kChunk, kChunk + 1, size_t{200} << 20}) {
    const std::string path = P("sizes/f" + std::to_string(size));
    const auto data = Pattern(size, seed++);
    ASSERT_TRUE(WriteFile(path, data)) << path << ": " << std::strerror(errno);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_size), size);
    EXPECT_TRUE(ReadFile(path) == data) << size;
  }
}

TEST_F(MountPosixTest, ErrorsAreTheLocalFileSystemsErrors) {
  ASSERT_EQ(::mkdir(P("err").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(P("err/file"), Pattern(10, 1)));
  struct stat st {};
  errno = 0;
  EXPECT_EQ(::stat(P("err/missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(::open(P("err/file").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(::mkdir(P("err/file/sub").c_str(), 0755), -1);
  EXPECT_EQ(errno, ENOTDIR);
  EXPECT_EQ(::open(P("err").c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EISDIR);
  EXPECT_EQ(::rmdir(P("err").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  EXPECT_EQ(::unlink(P("err").c_str()), -1);
  EXPECT_TRUE(errno == EISDIR || errno == EPERM) << std::strerror(errno);
  EXPECT_EQ(::rename(P("err").c_str(), P("err/inside").c_str()), -1);
  EXPECT_EQ(errno, EINVAL);
  const std::string long_name(256, 'n');
  EXPECT_EQ(::open(P("err/" + long_name).c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
  const int fd = ::open(P("err/" + std::string(255, 'n')).c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_GE(fd, 0) << "a 255-byte name is allowed: " << std::strerror(errno);
  if (fd >= 0) ::close(fd);
  EXPECT_EQ(::rmdir(P("err/file").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(MountPosixTest, RenameNoReplaceAndExchange) {
  ASSERT_EQ(::mkdir(P("ren").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("ren/d").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFile(P("ren/a"), Pattern(10, 1)));
  ASSERT_TRUE(WriteFile(P("ren/d/b"), Pattern(20, 2)));
  errno = 0;
  EXPECT_EQ(
      ::renameat2(AT_FDCWD, P("ren/a").c_str(), AT_FDCWD, P("ren/d/b").c_str(), RENAME_NOREPLACE),
      -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_TRUE(ReadFile(P("ren/d/b")) == Pattern(20, 2));
  ASSERT_EQ(
      ::renameat2(AT_FDCWD, P("ren/a").c_str(), AT_FDCWD, P("ren/d/b").c_str(), RENAME_EXCHANGE), 0)
      << std::strerror(errno);
  EXPECT_TRUE(ReadFile(P("ren/a")) == Pattern(20, 2));
  EXPECT_TRUE(ReadFile(P("ren/d/b")) == Pattern(10, 1));
  errno = 0;
  EXPECT_EQ(
      ::renameat2(AT_FDCWD, P("ren/a").c_str(), AT_FDCWD, P("ren/none").c_str(), RENAME_EXCHANGE),
      -1);
  EXPECT_EQ(errno, ENOENT);
  ASSERT_EQ(
      ::renameat2(AT_FDCWD, P("ren/a").c_str(), AT_FDCWD, P("ren/c").c_str(), RENAME_NOREPLACE), 0);
  EXPECT_TRUE(ReadFile(P("ren/c")) == Pattern(20, 2));
}

TEST_F(MountPosixTest, FallocatePunchesZeroesAndGrows) {
  const std::string path = P("falloc");
  const size_t kMiB = size_t{1} << 20;
  const auto data = Pattern(70 * kMiB, 31);
  ASSERT_TRUE(WriteFile(path, data));
  const int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  // A hole across the first chunk's end: chunk 0 keeps its head, the rest reads as zeros.
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 68 * kMiB - 1000), 0)
      << std::strerror(errno);
  auto want = data;
  std::fill(want.begin() + 1000, want.begin() + 68 * kMiB, 0);
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), 70 * kMiB);
  EXPECT_TRUE(ReadFile(path) == want);
  // Zero a range that runs past the end: zeros inside, and the file grows.
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_ZERO_RANGE, 69 * kMiB, 2 * kMiB), 0) << std::strerror(errno);
  std::fill(want.begin() + 69 * kMiB, want.end(), 0);
  want.resize(71 * kMiB, 0);
  EXPECT_TRUE(ReadFile(path) == want);
  // Plain allocation grows it (sparse); with KEEP_SIZE it does not.
  ASSERT_EQ(::fallocate(fd, 0, 0, 80 * kMiB), 0) << std::strerror(errno);
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), 80 * kMiB);
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 90 * kMiB), 0);
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), 80 * kMiB);
  errno = 0;
  EXPECT_EQ(::fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 64 * kMiB), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  errno = 0;
  EXPECT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), -1);  // punching needs KEEP_SIZE
  EXPECT_EQ(errno, EOPNOTSUPP);                                 // as the VFS answers
  ::close(fd);
}

TEST_F(MountPosixTest, ScatteredSmallWritesFromSeveralDescriptors) {
  // Four descriptors of one file (as four processes would have) write 4 KiB blocks at
  // random places, each its own blocks, some twice (the later must win).
  const std::string path = P("scattered");
  const size_t kBlock = 4096, kBlocks = 24 * 256;  // 24 MiB
  auto want = Pattern(kBlock * kBlocks, 5);
  ASSERT_TRUE(WriteFile(path, want));
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  std::mutex want_mu;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      const int fd = ::open(path.c_str(), O_WRONLY);
      if (fd < 0) return (void)++failures;
      std::mt19937 rng(100 + t);
      for (int i = 0; i < 600; ++i) {
        const size_t block = (rng() % (kBlocks / 4)) * 4 + t;
        auto data = Pattern(kBlock, static_cast<uint32_t>(1000 * t + i));
        if (::pwrite(fd, data.data(), kBlock, static_cast<off_t>(block * kBlock)) !=
            static_cast<ssize_t>(kBlock)) {
          ++failures;
        }
        std::lock_guard lock(want_mu);
        std::copy(data.begin(), data.end(), want.begin() + static_cast<long>(block * kBlock));
      }
      if (::close(fd) != 0) ++failures;
    });
  }
  for (auto& w : writers)
    w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(ReadFile(path) == want);
}

TEST_F(MountPosixTest, AFileUnlinkedWhileOpenLivesUntilItsLastClose) {
  // Trash time 0: an unlinked file is freed at once - unless it is still open.
  ASSERT_EQ(::mkdir(P("tmpfiles").c_str(), 0755), 0);
  auto [out, rc] = RunCommand(Tool("mfssettrashtime") + " 0 " + P("tmpfiles"));
  ASSERT_EQ(rc, 0) << out;
  const std::string path = P("tmpfiles/scratch");
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0);
  const auto first = Pattern(3 << 20, 61);
  ASSERT_TRUE(WriteAll(fd, first.data(), first.size()));
  ASSERT_EQ(::fsync(fd), 0);
  const int second_fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(second_fd, 0);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), -1);
  // Still readable and writable through the descriptors.
  const auto more = Pattern(1 << 20, 62);
  ASSERT_EQ(::pwrite(fd, more.data(), more.size(), 3 << 20), static_cast<ssize_t>(more.size()));
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);  // one descriptor left
  std::vector<char> back(4 << 20);
  ASSERT_EQ(::pread(second_fd, back.data(), back.size(), 0), static_cast<ssize_t>(back.size()))
      << std::strerror(errno);
  EXPECT_TRUE(std::equal(first.begin(), first.end(), back.begin()));
  EXPECT_TRUE(std::equal(more.begin(), more.end(), back.begin() + (3 << 20)));
  ::close(second_fd);
}

TEST_F(MountPosixTest, ConcurrentWritersToDifferentFiles) {
  ASSERT_EQ(::mkdir(P("conc").c_str(), 0755), 0);
  constexpr int kWriters = 4;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      if (!WriteFile(P("conc/w" + std::to_string(i)), Pattern((12u << 20) + 333 * i, 100 + i)))
        ++failures;
    });
  }
  for (auto& t : writers)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kWriters; ++i)
    EXPECT_TRUE(ReadFile(P("conc/w" + std::to_string(i))) ==
                Pattern((12u << 20) + 333 * i, 100 + i))
        << i;
}

TEST_F(MountPosixTest, AReaderBesideAWriterSeesOnlyWrittenBytes) {
  const std::string path = P("growing");
  const auto data = Pattern(24u << 20, 77);
  const int wfd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(wfd, 0);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, reads{0};
  std::thread reader([&] {
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (!done && std::chrono::steady_clock::now() < until) {
      const auto got = ReadFile(path);
      ++reads;
      // Whatever length it sees, every byte it sees is the writer's.
      if (got.size() > data.size() || !std::equal(got.begin(), got.end(), data.begin())) ++bad;
    }
  });
  for (size_t at = 0; at < data.size(); at += 1 << 20) {
    ASSERT_TRUE(WriteAll(wfd, data.data() + at, std::min<size_t>(1 << 20, data.size() - at)));
    ::fsync(wfd);
  }
  ASSERT_EQ(::close(wfd), 0);
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 0);
  EXPECT_TRUE(ReadFile(path) == data);
}

// A write past the end still in this mount's write-behind buffer has grown the file for
// every process here: a name looked up again (the kernel's entry cache expired) or a chmod
// answers with the master's length, which does not hold the write yet, and the kernel must
// not shrink the file to it (found by the model test: a whole-file read stopped at the
// length of the truncate before the write).
TEST_F(MountPosixTest, ABufferedWritePastTheEndKeepsItsLengthThroughLookupAndChmod) {
  const std::string path = P("buffered_growth");
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  constexpr off_t kCut = 5000;
  constexpr off_t kFar = off_t{3} << 20;
  const std::string tail = "the buffered tail";
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(::ftruncate(fd, kCut), 0) << std::strerror(errno);
    ASSERT_EQ(::pwrite(fd, tail.data(), tail.size(), kFar), static_cast<ssize_t>(tail.size()));
    std::this_thread::sleep_for(1500ms);  // past mfsentrycacheto and mfsattrcacheto (1 s)
    if (round == 1) {
      ASSERT_EQ(::chmod(path.c_str(), 0600), 0) << std::strerror(errno);
    }
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << std::strerror(errno);
    EXPECT_EQ(st.st_size, kFar + static_cast<off_t>(tail.size())) << "round " << round;
    const std::vector<char> read = ReadFile(path);
    const std::string got(read.begin(), read.end());
    ASSERT_EQ(got.size(), static_cast<size_t>(kFar) + tail.size()) << "round " << round;
    EXPECT_EQ(got.substr(static_cast<size_t>(kFar)), tail);
  }
  ::close(fd);
}

TEST_F(MountPosixTest, Goal3GivesThreeValidCopies) {
  ASSERT_TRUE(WriteFile(P("three"), Pattern(3u << 20, 5)));
  auto [out, rc] = RunCommand(Tool("mfssetgoal") + " 3 " + P("three"));
  ASSERT_EQ(rc, 0) << out;
  std::string info;
  for (int i = 0; i < 300; ++i) {  // replication runs in the master's chunk loop
    info = RunCommand(Tool("mfsfileinfo") + " " + P("three")).first;
    if (info.find("copy 3:") != std::string::npos &&
        info.find("status:VALID") != std::string::npos && info.find("INVALID") == std::string::npos)
      break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(info.find("copy 3: 127.0.0.1:"), std::string::npos) << info;
  size_t valid = 0;
  for (size_t at = 0; (at = info.find("(status:VALID)", at)) != std::string::npos; ++at)
    ++valid;
  EXPECT_EQ(valid, 3u) << info;
}

TEST_F(MountPosixTest, ASnapshotKeepsItsBytesWhenTheSourceChanges) {
  const auto before = Pattern(5u << 20, 9);
  ASSERT_TRUE(WriteFile(P("snapsrc"), before));
  auto [out, rc] = RunCommand(Tool("mfsmakesnapshot") + " " + P("snapsrc") + " " + P("snapdst"));
  ASSERT_EQ(rc, 0) << out;
  const int fd = ::open(P("snapsrc").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "changed", 7, 1000), 7);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_TRUE(ReadFile(P("snapdst")) == before);
  auto after = ReadFile(P("snapsrc"));
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(std::string(after.data() + 1000, 7), "changed");
}

TEST_F(MountPosixTest, AReadGoesOnWhenAChunkserverDies) {
  const auto data = Pattern(80u << 20, 31);  // goal 2 (the default): two copies of each chunk
  ASSERT_TRUE(WriteFile(P("survivor"), data));
  const int fd = ::open(P("survivor").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  // Out of the kernel's page cache, so the reads below go to the chunkservers.
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  std::vector<char> got(data.size());
  const size_t half = data.size() / 2;
  ASSERT_EQ(::pread(fd, got.data(), half, 0), static_cast<ssize_t>(half));
  cluster_->KillChunkserver(0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  size_t done = half;
  while (done < got.size()) {
    ssize_t r = ::pread(fd, got.data() + done, got.size() - done, static_cast<off_t>(done));
    ASSERT_GT(r, 0) << std::strerror(errno);
    done += static_cast<size_t>(r);
  }
  ::close(fd);
  EXPECT_TRUE(got == data);
  ASSERT_TRUE(cluster_->StartChunkserver(0).ok());
}

TEST_F(MountPosixTest, OpenFilesLiveThroughAMasterRestart) {
  const auto first = Pattern(3u << 20, 41), second = Pattern(2u << 20, 42);
  ASSERT_TRUE(WriteFile(P("kept"), first));
  const int rfd = ::open(P("kept").c_str(), O_RDONLY);
  const int wfd = ::open(P("appended").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(rfd, 0);
  ASSERT_GE(wfd, 0);
  ASSERT_TRUE(WriteAll(wfd, first.data(), first.size()));
  ASSERT_EQ(::fsync(wfd), 0);
  EXPECT_EQ(cluster_->StopMaster(), 0);
  ASSERT_TRUE(cluster_->StartMaster().ok());
  // Both descriptors carry on: the mount resumes its session by itself.
  ASSERT_TRUE(WriteAll(wfd, second.data(), second.size())) << std::strerror(errno);
  EXPECT_EQ(::close(wfd), 0) << std::strerror(errno);
  std::vector<char> got(first.size());
  ASSERT_EQ(::pread(rfd, got.data(), got.size(), 0), static_cast<ssize_t>(got.size()));
  EXPECT_TRUE(got == first);
  ::close(rfd);
  auto all = ReadFile(P("appended"));
  std::vector<char> want = first;
  want.insert(want.end(), second.begin(), second.end());
  EXPECT_TRUE(all == want) << all.size();
}

TEST_F(MountPosixTest, ExtendedAttributesAndTheirErrors) {
  ASSERT_TRUE(WriteFile(P("xa"), Pattern(10, 3)));
  const std::string f = P("xa");
  ASSERT_EQ(::setxattr(f.c_str(), "user.color", "blue", 4, 0), 0) << std::strerror(errno);
  ASSERT_EQ(::setxattr(f.c_str(), "user.empty", "", 0, 0), 0) << std::strerror(errno);
  char buf[256];
  EXPECT_EQ(::getxattr(f.c_str(), "user.color", nullptr, 0), 4);  // the size alone
  ASSERT_EQ(::getxattr(f.c_str(), "user.color", buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf, 4), "blue");
  EXPECT_EQ(::getxattr(f.c_str(), "user.color", buf, 2), -1);
  EXPECT_EQ(errno, ERANGE);
  EXPECT_EQ(::getxattr(f.c_str(), "user.none", buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, ENODATA);
  EXPECT_EQ(::setxattr(f.c_str(), "user.color", "red", 3, XATTR_CREATE), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(::setxattr(f.c_str(), "user.none", "x", 1, XATTR_REPLACE), -1);
  EXPECT_EQ(errno, ENODATA);
  const ssize_t n = ::listxattr(f.c_str(), buf, sizeof(buf));
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), std::string("user.color\0user.empty\0", 22));
  const std::vector<char> big = Pattern(65536, 4);
  ASSERT_EQ(::setxattr(f.c_str(), "user.big", big.data(), big.size(), 0), 0)
      << std::strerror(errno);
  std::vector<char> back(65536);
  EXPECT_EQ(::getxattr(f.c_str(), "user.big", back.data(), back.size()), 65536);
  EXPECT_TRUE(back == big);
  ASSERT_EQ(::removexattr(f.c_str(), "user.empty"), 0);
  EXPECT_EQ(::removexattr(f.c_str(), "user.empty"), -1);
  EXPECT_EQ(errno, ENODATA);
  // Kept by the master like any change: there after its restart.
  EXPECT_EQ(cluster_->StopMaster(), 0);
  ASSERT_TRUE(cluster_->StartMaster().ok());
  ASSERT_EQ(::getxattr(f.c_str(), "user.color", buf, sizeof(buf)), 4) << std::strerror(errno);
  EXPECT_EQ(std::string(buf, 4), "blue");
}

}  // namespace
}  // namespace elk
