// The kernel asks for security.capability before every write(2) to a FUSE file. mfsmount
// answers from a short-lived per-inode memory (capability_cache.h), so a stream of writes
// costs the master a request per attribute time-out, not one per write - and a capability
// on the file is still removed by a write, as Linux does, once that window has passed.
// Requests are counted on the master's monitor (/api/v1/ops). Fails (never skips) without
// FUSE.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

using namespace std::chrono_literals;
namespace proto = protocol;

constexpr const char* kCapability = "security.capability";

// A valid VFS_CAP_REVISION_2 value: cap_net_raw (13) permitted and effective.
std::string NetRawCapability() {
  const uint32_t words[5] = {0x02000001u, 1u << 13, 0, 0, 0};
  return std::string(reinterpret_cast<const char*>(words), sizeof(words));
}

class MountCapabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    auto c = test::Cluster::Start({.chunkservers = 1, .mount = true});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
  }
  std::string P(const std::string& rel) const { return cluster_->mount_point() + "/" + rel; }

  // The monitor publishes its counters every second: wait for a publication made after
  // the last request of interest.
  uint64_t GetxattrRequests() const {
    std::this_thread::sleep_for(1200ms);
    httplib::Client c("127.0.0.1", cluster_->http_port());
    c.set_connection_timeout(5s);
    c.set_read_timeout(5s);
    auto r = c.Get("/api/v1/ops");
    EXPECT_TRUE(r && r->status == 200) << "monitor unreachable";
    if (!r || r->status != 200) return 0;
    auto ops = nlohmann::json::parse(r->body, nullptr, false)["operations"];
    return ops.contains("getxattr") ? ops["getxattr"].get<uint64_t>() : 0;
  }

  static bool HasCapability(const std::string& path) {
    char buf[64];
    return ::getxattr(path.c_str(), kCapability, buf, sizeof(buf)) > 0;
  }

  static void WriteOneByte(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    EXPECT_EQ(::pwrite(fd, "x", 1, 0), 1) << std::strerror(errno);
    ::close(fd);
  }

  std::unique_ptr<test::Cluster> cluster_;
};

TEST_F(MountCapabilityTest, AStreamOfWritesAsksTheMasterOncePerAttributeTime) {
  const int fd = ::open(P("stream").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const uint64_t before = GetxattrRequests();
  const std::vector<char> block(8192, 'w');
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1024; ++i)
    ASSERT_EQ(::write(fd, block.data(), block.size()), 8192) << std::strerror(errno);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(::close(fd), 0);
  const uint64_t asked = GetxattrRequests() - before;
  std::printf("getxattr requests for 1,024 writes of 8 KiB: %llu in %.3f s\n",
              static_cast<unsigned long long>(asked), seconds);
  // One question per second of writing (mfsattrcacheto = 1 s), plus the first: without the
  // memory it is one per write, 1,024.
  EXPECT_LE(asked, static_cast<uint64_t>(seconds) + 2) << "over " << seconds << " s";
  EXPECT_GE(asked, 1u);  // the kernel does ask; the count above is not a broken counter
  struct stat st {};
  ASSERT_EQ(::stat(P("stream").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 1024 * 8192);
}

TEST_F(MountCapabilityTest, AWriteStillRemovesACapabilitySetThroughThisMount) {
  const std::string f = P("cap-here");
  ASSERT_EQ(::close(::open(f.c_str(), O_CREAT | O_WRONLY, 0755)), 0);
  WriteOneByte(f);  // the mount now remembers "no capability"
  const std::string cap = NetRawCapability();
  ASSERT_EQ(::setxattr(f.c_str(), kCapability, cap.data(), cap.size(), 0), 0)
      << std::strerror(errno);
  ASSERT_TRUE(HasCapability(f));
  WriteOneByte(f);
  EXPECT_FALSE(HasCapability(f)) << "a write must drop file capabilities";
}

TEST_F(MountCapabilityTest, ACapabilitySetByAnotherClientIsRemovedAfterTheAttributeTime) {
  const std::string f = P("cap-there");
  ASSERT_EQ(::close(::open(f.c_str(), O_CREAT | O_WRONLY, 0755)), 0);
  WriteOneByte(f);
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  auto other = client::MasterSession::Open({.host = "127.0.0.1", .port = cluster_->client_port()});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)
                  ->Do(proto::CltomaSetxattr{0,
                                             static_cast<uint32_t>(st.st_ino),
                                             kCapability,
                                             NetRawCapability(),
                                             proto::XattrMode::kAny,
                                             {}},
                       false)
                  .ok());
  std::this_thread::sleep_for(1500ms);  // past mfsattrcacheto: the mount asks again
  WriteOneByte(f);
  EXPECT_FALSE(HasCapability(f)) << "a write must drop file capabilities";
}

}  // namespace
}  // namespace elk
