// Offsets and lengths at and past the maximum file length (common/file_limits.h), sent
// through the kernel to a real mount of a real cluster: the commands a user first tried
// (a one-byte dd at 2^52 + 2^26, truncate -s 256P, a write at 2^58 + 5), and one byte at
// every doubling offset up to the largest legal one with the master held to 2 GiB of
// address space. Past the maximum: EFBIG, and nothing changes; below it: the write lands,
// the master's memory barely moves, and it saves, stops and loads its image again.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/file_limits.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

constexpr char kData[] = "precious data, written first";

// The master's resident memory in KiB (VmRSS), 0 when it cannot be read.
uint64_t RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

// The "Max address space" soft limit of a process, as /proc shows it ("" if absent).
std::string AddressSpaceLimit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max address space", 0) == 0) {
      std::istringstream fields(line.substr(17));
      std::string soft;
      fields >> soft;
      return soft;
    }
  }
  return "";
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// 0, or the errno of the first failing step (open, pwrite, fsync, close).
int WriteByteAt(const std::string& path, uint64_t offset, char byte) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd < 0) return errno;
  int err = 0;
  if (::pwrite(fd, &byte, 1, static_cast<off_t>(offset)) != 1) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

// WriteByteAt in a child process, bounded in time: against a master that died, the mount
// may hold the call for as long as it waits for the master (old code did exactly that).
// ETIMEDOUT then.
int BoundedWriteByteAt(const std::string& path, uint64_t offset, char byte) {
  const pid_t pid = ::fork();
  if (pid < 0) return errno;
  if (pid == 0) ::_exit(WriteByteAt(path, offset, byte));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      // A request the mount already holds keeps even a killed child until the mount
      // answers or goes (the cluster's teardown): never wait for it here.
      ::kill(pid, SIGKILL);
      return ETIMEDOUT;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

// The byte at offset, or -1 (with errno) when it cannot be read.
int ReadByteAt(const std::string& path, uint64_t offset) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return -1;
  char c = 0;
  const ssize_t n = ::pread(fd, &c, 1, static_cast<off_t>(offset));
  ::close(fd);
  return n == 1 ? static_cast<unsigned char>(c) : -1;
}

std::string ReadPrefix(const std::string& path, size_t n) {
  std::string out(n, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "";
  const ssize_t got = ::pread(fd, out.data(), n, 0);
  ::close(fd);
  out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return out;
}

uint64_t SizeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : UINT64_MAX;
}

int Shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

Result<std::unique_ptr<test::Cluster>> StartCluster(std::vector<std::string> master_prefix = {}) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) return Status(Code::kIo, "FUSE is not usable");
  return test::Cluster::Start(
      {.chunkservers = 2, .mount = true, .master_prefix = std::move(master_prefix)});
}

// The master stops cleanly (saving its image) and loads that image again.
void RestartMaster(test::Cluster& c) {
  ASSERT_EQ(c.StopMaster(), 0) << ReadText(c.log("master"));
  ASSERT_TRUE(c.StartMaster().ok()) << ReadText(c.log("master"));
  EXPECT_EQ(ReadText(c.log("master")).find("CORRUPTION"), std::string::npos)
      << ReadText(c.log("master"));
}

// A cluster with a mount and one file holding kData: the user's file.
class UserFile : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = StartCluster();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    f_ = cluster_->mount_point() + "/f";
    std::ofstream out(f_, std::ios::binary);
    out << data_;
    out.close();
    ASSERT_EQ(ReadPrefix(f_, data_.size()), data_);
  }

  std::unique_ptr<test::Cluster> cluster_;
  std::string f_;
  const std::string data_ = kData;
};

// dd if=/dev/zero of=f bs=1 count=1 seek=$(((1<<52)+(1<<26))), exactly as the user typed
// it (dd truncates there, then writes): success, and the master neither grows by 512 MiB
// nor refuses its own image afterwards.
TEST_F(UserFile, OneByteAt2To52Plus2To26CostsBytesAndTheImageLoads) {
  const uint64_t seek = (uint64_t{1} << 52) + (uint64_t{1} << 26);
  const uint64_t rss_before = RssKiB(cluster_->master_pid());
  ASSERT_GT(rss_before, 0u);
  const int dd = Shell("timeout 60 dd if=/dev/zero of=" + f_ +
                       " bs=1 count=1 seek=" + std::to_string(seek) + " 2>/dev/null");
  const uint64_t rss_after = RssKiB(cluster_->master_pid());
  std::printf("master RSS %llu KiB before the dd, %llu KiB after (dd exit %d)\n",
              static_cast<unsigned long long>(rss_before),
              static_cast<unsigned long long>(rss_after), dd);
  const uint64_t want_size = dd == 0 ? seek + 1 : data_.size();
  EXPECT_EQ(SizeOf(f_), want_size) << "dd exit " << dd;
  EXPECT_LT(rss_after, rss_before + 4096)
      << "the master grew by " << rss_after - rss_before << " KiB for one byte";
  EXPECT_EQ(ReadPrefix(f_, data_.size()), data_);
  ASSERT_NO_FATAL_FAILURE(RestartMaster(*cluster_));
  EXPECT_EQ(ReadPrefix(f_, data_.size()), data_) << "after the master loaded its image";
  EXPECT_EQ(SizeOf(f_), want_size);
}

// truncate -s 256P on a file with data: EFBIG, nothing lost (its chunk count, 2^32, once
// wrapped to 0 and the master dropped every chunk).
TEST_F(UserFile, TruncateTo256PIsRefusedAndKeepsTheData) {
  EXPECT_NE(Shell("timeout 60 truncate -s 256P " + f_ + " 2>/dev/null"), 0);
  errno = 0;
  EXPECT_EQ(::truncate(f_.c_str(), static_cast<off_t>(uint64_t{256} << 50)), -1);
  EXPECT_EQ(errno, EFBIG);
  EXPECT_EQ(SizeOf(f_), data_.size());
  EXPECT_EQ(ReadPrefix(f_, data_.size()), data_);
  ASSERT_NO_FATAL_FAILURE(RestartMaster(*cluster_));
  EXPECT_EQ(ReadPrefix(f_, data_.size()), data_);
}

// A write at 2^58 + 5 once landed on byte 5 (its chunk index, 2^32, cut to 32 bits).
TEST_F(UserFile, AWriteAt2To58Plus5IsRefusedAndByte5Stays) {
  EXPECT_EQ(BoundedWriteByteAt(f_, (uint64_t{1} << 58) + 5, 'X'), EFBIG);
  EXPECT_EQ(ReadByteAt(f_, 5), static_cast<unsigned char>(data_[5]));
  EXPECT_EQ(SizeOf(f_), data_.size());
  ASSERT_NO_FATAL_FAILURE(RestartMaster(*cluster_));
  EXPECT_EQ(ReadPrefix(f_, data_.size()), data_);
}

// The tools on one byte at 2^56 (chunk index 2^30): they ask for the chunks the file has,
// not for each of its 2^30 indexes, so they answer at once and print a bounded text.
TEST_F(UserFile, FileInfoAndCheckFileOnOneByteAt2To56AnswerAtOnce) {
  ASSERT_EQ(BoundedWriteByteAt(f_, uint64_t{1} << 56, 'Y'), 0);
  const std::string out = f_ + ".tool";
  const std::string bin = test::Cluster::BinDir();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Shell("timeout 10 " + bin + "/mfsfileinfo " + f_ + " >" + out + " 2>&1"), 0)
      << ReadText(out);
  const std::string info = ReadText(out);
  ASSERT_EQ(Shell("timeout 10 " + bin + "/mfscheckfile " + f_ + " >" + out + " 2>&1"), 0)
      << ReadText(out);
  const std::string check = ReadText(out);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("mfsfileinfo + mfscheckfile on one byte at 2^56: %.3f s\n", seconds);
  EXPECT_LT(seconds, 10.0);
  EXPECT_LT(info.size(), 1024u) << info;
  EXPECT_NE(info.find("\tchunk 0: "), std::string::npos) << info;
  EXPECT_NE(info.find("\tchunks 1-1073741823: empty\n"), std::string::npos) << info;
  EXPECT_NE(info.find("\tchunk 1073741824: "), std::string::npos) << info;
  EXPECT_EQ(info.find("no valid copies"), std::string::npos) << info;
  EXPECT_EQ(check, f_ + ":\n chunks with 2 copies:            2\n");
}

TEST(HostileFileLength, DoublingOffsetsWithTheMasterHeldToTwoGiB) {
  auto c = StartCluster({"/usr/bin/prlimit", "--as=" + std::to_string(uint64_t{2} << 30), "--"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  test::Cluster& cluster = **c;
  const std::string f = cluster.mount_point() + "/doubling";
  ASSERT_EQ(AddressSpaceLimit(cluster.master_pid()), std::to_string(uint64_t{2} << 30));
  const uint64_t rss_before = RssKiB(cluster.master_pid());
  // One byte at 1, 2, 4, ... 2^56, then the last legal byte and the first one past it.
  std::vector<std::pair<uint64_t, char>> written;
  for (int k = 0; k < 57; ++k)
    written.emplace_back(uint64_t{1} << k, static_cast<char>('A' + k));
  written.emplace_back(kMaxFileLength - 1, 'z');
  for (const auto& [offset, byte] : written) {
    ASSERT_EQ(BoundedWriteByteAt(f, offset, byte), 0)
        << "offset " << offset << ": " << std::strerror(errno);
    ASSERT_EQ(::kill(cluster.master_pid(), 0), 0) << "the master died at offset " << offset;
  }
  EXPECT_EQ(SizeOf(f), kMaxFileLength);
  EXPECT_EQ(BoundedWriteByteAt(f, kMaxFileLength, '!'), EFBIG);
  errno = 0;
  EXPECT_EQ(::truncate(f.c_str(), static_cast<off_t>(kMaxFileLength + 1)), -1);
  EXPECT_EQ(errno, EFBIG);
  // Another file with only the last legal byte.
  const std::string last = cluster.mount_point() + "/last";
  ASSERT_EQ(BoundedWriteByteAt(last, kMaxFileLength - 1, 'L'), 0);
  ASSERT_EQ(::kill(cluster.master_pid(), 0), 0);
  const uint64_t rss_after = RssKiB(cluster.master_pid());
  EXPECT_LT(rss_after, rss_before + 16384)
      << "KiB before " << rss_before << ", after " << rss_after;
  std::printf("master RSS %llu KiB before the doubling writes, %llu KiB after\n",
              static_cast<unsigned long long>(rss_before),
              static_cast<unsigned long long>(rss_after));

  ASSERT_NO_FATAL_FAILURE(RestartMaster(cluster));
  for (const auto& [offset, byte] : written)
    EXPECT_EQ(ReadByteAt(f, offset), static_cast<unsigned char>(byte)) << "offset " << offset;
  EXPECT_EQ(ReadByteAt(f, 3), 0) << "a hole reads as zero";
  EXPECT_EQ(SizeOf(f), kMaxFileLength);
  EXPECT_EQ(ReadByteAt(last, kMaxFileLength - 1), 'L');
  EXPECT_EQ(SizeOf(last), kMaxFileLength);
}

}  // namespace
}  // namespace elk
