// Bytes a truncate removed never come back, through the real kernel on a real cluster:
// when the file grows again by ftruncate, by a write past its end or by fallocate; at
// block and chunk edges; in a chunk shared with a snapshot; and on every copy's disk, also
// copies made by replication after the cut. Fails (never skips) without FUSE.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
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
using mount_test::ReadFile;
using mount_test::RunCommand;
using mount_test::WriteFile;

constexpr uint64_t kBlock = 64 << 10;
constexpr uint64_t kChunk = uint64_t{64} << 20;
constexpr size_t kChunkHeader = 8192;  // chunkserver/storage/chunk_format.h kHeaderSize

class MountTruncateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = mount_test::StartMountedCluster();
    ASSERT_NE(cluster_, nullptr);
    // Removed files free their chunks at once, so the replication a test waits for is not
    // queued behind the trash of the ones before.
    auto [out, rc] = RunCommand(Tool("mfssettrashtime") + " 0 " + cluster_->mount_point());
    ASSERT_EQ(rc, 0) << out;
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }
  static std::string P(const std::string& rel) { return cluster_->mount_point() + "/" + rel; }
  static std::string Tool(const std::string& name) { return test::Cluster::BinDir() + "/" + name; }

  // The bytes [from, to) of the file, read with pread (the length is checked too).
  static std::string Range(const std::string& path, uint64_t from, uint64_t to) {
    std::string out(to - from, '?');
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return "open failed";
    // Past the kernel's page cache: the bytes come from the chunkservers.
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    size_t got = 0;
    while (got < out.size()) {
      const ssize_t r = ::pread(fd, out.data() + got, out.size() - got, from + got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    ::close(fd);
    out.resize(got);
    return out;
  }
  static bool AllZero(const std::string& s) {
    return s.find_first_not_of('\0') == std::string::npos;
  }
  static std::string Describe(const std::string& s) {
    const size_t at = s.find_first_not_of('\0');
    return at == std::string::npos ? "all zero"
                                   : "first non-zero byte at +" + std::to_string(at) + " of " +
                                         std::to_string(s.size());
  }

  // "ID_VERSION" of chunk `index` of the file, as mfsfileinfo prints it.
  static std::string ChunkName(const std::string& path, int index) {
    const std::string info = RunCommand(Tool("mfsfileinfo") + " " + path).first;
    const std::string key = "chunk " + std::to_string(index) + ": ";
    const size_t at = info.find(key);
    if (at == std::string::npos) return "";
    return info.substr(at + key.size(), 16 + 1 + 8);
  }
  // Every chunk file of that name on the chunkservers' disks.
  static std::vector<std::string> CopiesOnDisk(const std::string& name) {
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i) {
      for (const auto& e :
           std::filesystem::recursive_directory_iterator(cluster_->chunkserver_disk(i))) {
        if (e.path().filename() == "chunk_" + name + ".mfs") out.push_back(e.path());
      }
    }
    return out;
  }
  // Waits (bounded) until chunk 0 of the file has `copies` valid copies.
  static std::string WaitForCopies(const std::string& path, int copies) {
    std::string info;
    for (int i = 0; i < 600; ++i) {
      info = RunCommand(Tool("mfsfileinfo") + " " + path).first;
      if (info.find("copy " + std::to_string(copies) + ":") != std::string::npos &&
          info.find("INVALID") == std::string::npos)
        break;
      std::this_thread::sleep_for(100ms);
    }
    return info;
  }
  // On disk, the chunk file holds nothing but zeros past `keep` bytes of data.
  static void ExpectCutOnDisk(const std::string& file, uint64_t keep) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GE(bytes.size(), kChunkHeader) << file;
    EXPECT_LE(bytes.size(), kChunkHeader + (keep + kBlock - 1) / kBlock * kBlock) << file;
    const std::string tail =
        bytes.size() > kChunkHeader + keep ? bytes.substr(kChunkHeader + keep) : std::string();
    EXPECT_TRUE(AllZero(tail)) << file << ": " << Describe(tail);
  }

  static test::Cluster* cluster_;
};
test::Cluster* MountTruncateTest::cluster_ = nullptr;

// The user's report, as written: 90,000 bytes of 0xaa came back.
TEST_F(MountTruncateTest, TheReportedPythonLines) {
  const std::string p = P("report");
  auto [out, rc] =
      RunCommand("python3 -c 'import os\np=\"" + p +
                 "\"\nopen(p, \"wb\").write(b\"\\xaa\" * 100000)\nos.truncate(p, "
                 "10000)\nwith open(p, \"r+b\") as f: f.seek(200000); f.write(b\"x\")'");
  ASSERT_EQ(rc, 0) << out;
  const std::string kept = Range(p, 0, 10000);
  EXPECT_EQ(kept, std::string(10000, '\xaa'));
  const std::string cut = Range(p, 10000, 200000);
  EXPECT_EQ(cut.size(), 190000u);
  EXPECT_TRUE(AllZero(cut)) << Describe(cut);
  EXPECT_EQ(Range(p, 200000, 200001), "x");
}

// Shrinks to lengths around block and chunk edges, then grows back three ways.
TEST_F(MountTruncateTest, EveryWayOfGrowingBackReadsZeros) {
  const uint64_t size = kChunk + 3 * kBlock;
  const auto data = Pattern(size, 3);
  const uint64_t lengths[] = {1,          kBlock - 1,         kBlock,
                              kBlock + 1, 5 * kBlock + 777,   kChunk - 1,
                              kChunk + 1, kChunk + kBlock + 9};
  for (int how = 0; how < 3; ++how) {
    for (uint64_t len : lengths) {
      SCOPED_TRACE("length " + std::to_string(len) + ", grown by " +
                   (how == 0   ? "ftruncate"
                    : how == 1 ? "pwrite"
                               : "fallocate"));
      const std::string p = P("grow" + std::to_string(how) + "_" + std::to_string(len));
      ASSERT_TRUE(WriteFile(p, data));
      ASSERT_EQ(::truncate(p.c_str(), static_cast<off_t>(len)), 0) << std::strerror(errno);
      const int fd = ::open(p.c_str(), O_RDWR);
      ASSERT_GE(fd, 0);
      if (how == 0) {
        ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
      } else if (how == 1) {
        ASSERT_EQ(::pwrite(fd, "z", 1, static_cast<off_t>(size - 1)), 1);
      } else {
        ASSERT_EQ(::fallocate(fd, 0, 0, static_cast<off_t>(size)), 0) << std::strerror(errno);
      }
      ASSERT_EQ(::close(fd), 0);
      EXPECT_EQ(Range(p, 0, len), std::string(data.data(), len));
      const std::string back = Range(p, len, size - 1);
      EXPECT_EQ(back.size(), size - 1 - len);
      EXPECT_TRUE(AllZero(back)) << Describe(back);
      ::unlink(p.c_str());
    }
  }
}

// O_TRUNC, then a write past the old data's first bytes.
TEST_F(MountTruncateTest, OpenWithTruncateLeavesNothing) {
  const std::string p = P("otrunc");
  ASSERT_TRUE(WriteFile(p, Pattern(3 * kBlock, 4)));
  const int fd = ::open(p.c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "end", 3, 3 * kBlock), 3);
  ASSERT_EQ(::close(fd), 0);
  const std::string back = Range(p, 0, 3 * kBlock);
  EXPECT_TRUE(AllZero(back)) << Describe(back);
}

// The cut goes to a copy of the chunk: the snapshot keeps every byte, the file none.
TEST_F(MountTruncateTest, ASnapshotSharingTheChunkKeepsItsBytes) {
  const auto data = Pattern(4 * kBlock, 5);
  ASSERT_TRUE(WriteFile(P("shared"), data));
  auto [out, rc] = RunCommand(Tool("mfsmakesnapshot") + " " + P("shared") + " " + P("shared.snap"));
  ASSERT_EQ(rc, 0) << out;
  ASSERT_EQ(::truncate(P("shared").c_str(), 1000), 0);
  ASSERT_EQ(::truncate(P("shared").c_str(), 4 * kBlock), 0);
  const std::string back = Range(P("shared"), 1000, 4 * kBlock);
  EXPECT_TRUE(AllZero(back)) << Describe(back);
  EXPECT_EQ(Range(P("shared"), 0, 1000), std::string(data.data(), 1000));
  EXPECT_TRUE(ReadFile(P("shared.snap")) == data);
  EXPECT_NE(ChunkName(P("shared"), 0).substr(0, 16), ChunkName(P("shared.snap"), 0).substr(0, 16));
}

// Each copy's chunk file is cut on its disk, and a copy replication makes afterwards too.
TEST_F(MountTruncateTest, EveryCopyIsCutOnDisk) {
  const std::string p = P("copies");
  ASSERT_TRUE(WriteFile(p, Pattern(6 * kBlock, 6)));
  auto [out, rc] = RunCommand(Tool("mfssetgoal") + " 1 " + p);
  ASSERT_EQ(rc, 0) << out;
  const uint64_t keep = 2 * kBlock + 100;
  ASSERT_EQ(::truncate(p.c_str(), static_cast<off_t>(keep)), 0);
  std::tie(out, rc) = RunCommand(Tool("mfssetgoal") + " 3 " + p);
  ASSERT_EQ(rc, 0) << out;
  const std::string info = WaitForCopies(p, 3);
  ASSERT_NE(info.find("copy 3:"), std::string::npos) << info;
  const std::string name = ChunkName(p, 0);
  ASSERT_FALSE(name.empty()) << info;
  const auto files = CopiesOnDisk(name);
  EXPECT_EQ(files.size(), 3u) << info;
  for (const auto& f : files)
    ExpectCutOnDisk(f, keep);

  // And a cut of a chunk that already has three copies.
  ASSERT_EQ(::truncate(p.c_str(), 1234), 0);
  const std::string cut = ChunkName(p, 0);
  EXPECT_NE(cut, name);
  const auto after = CopiesOnDisk(cut);
  EXPECT_EQ(after.size(), 3u) << cut;
  for (const auto& f : after)
    ExpectCutOnDisk(f, 1234);
}

}  // namespace
}  // namespace elk
