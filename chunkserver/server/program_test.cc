// Runs the real mfschunkserver (detached, as an operator would) against a fake master in
// this process: start, registration, a command, data through the data port, reload of
// mfshdd.cfg (a disk added, another marked for removal), stop.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "chunkserver/server/test_harness.h"

namespace elk::chunkserver {
namespace {

using namespace testing;  // NOLINT

// A port nobody listens on right now (bound, read, released).
uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa = net::Address{net::kLoopbackIp, 0}.ToSockaddr();
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  socklen_t len = sizeof(sa);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return net::Address::FromSockaddr(sa).port;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class ProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(loop_.Start().ok());
    for (const char* d : {"data", "hdd1", "hdd2"})
      std::filesystem::create_directories(Path(d));
  }
  void TearDown() override {
    (void)Run("stop");
    master_.reset();
    loop_.Stop();
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  int Run(const std::string& action) {
    const std::string cmd = std::string(MFSCHUNKSERVER) + " -c " + Path("mfschunkserver.cfg") +
                            " " + action + " > " + Path("out.txt") + " 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  chunkstore::TestDir dir_;
  net::LoopThread loop_;
  std::unique_ptr<FakeMaster> master_ = std::make_unique<FakeMaster>(loop_);
};

TEST_F(ProgramTest, StartsRegistersServesReloadsDisksAndStops) {
  const uint16_t master_port = master_->Start();
  const uint16_t port = FreePort();
  const passwd* me = ::getpwuid(::getuid());
  ASSERT_NE(me, nullptr);
  WriteFile(Path("mfshdd.cfg"), Path("hdd1") + "\n");
  WriteFile(
      Path("mfschunkserver.cfg"),
      fmt::format("DATA_PATH = {}\nHDD_CONF_FILENAME = {}\nHDD_LEAVE_SPACE_DEFAULT = 0\n"
                  // Two masters, the first one gone: the next is tried at once.
                  "MASTER_HOST = 127.0.0.1:{}, 127.0.0.1\nMASTER_PORT = {}\n"
                  "MASTER_RECONNECTION_DELAY = 1\n"
                  "CSSERV_LISTEN_HOST = 127.0.0.1\nCSSERV_LISTEN_PORT = {}\n"
                  "WORKING_USER = {}\nNICE_LEVEL = 0\nHDD_TEST_FREQ = 1\n",
                  Path("data"), Path("mfshdd.cfg"), FreePort(), master_port, port, me->pw_name));
  ASSERT_EQ(Run("start"), 0) << std::ifstream(Path("out.txt")).rdbuf();

  auto reg = master_->WaitMsg<proto::CstomaRegister>();
  ASSERT_TRUE(reg);
  EXPECT_EQ(reg->addr.port, port);
  ASSERT_TRUE(master_->WaitFor(proto::CSTOMA_REGISTER_DONE));
  master_->Send(proto::MatocsCreateChunk{.chunkid = 1, .version = 1});
  ASSERT_EQ(master_->WaitMsg<proto::CstomaCreateChunk>()->status, Code::kOk);
  EXPECT_TRUE(std::filesystem::exists(Path("hdd1/01/chunk_0000000000000001_00000001.mfs")));

  const auto data = RandomBytes(100000, 9);
  {
    DataClient c = DataClient::Connect(port);
    c.Send(proto::CltocsWriteInit{.chunkid = 1, .version = 1, .chain = {}});
    ASSERT_EQ(c.WriteStatus()->status, Code::kOk);
    c.WriteData(1, 1, 0, 0, std::span<const uint8_t>(data.data(), 65536));
    c.WriteData(1, 2, 1, 0, std::span<const uint8_t>(data.data() + 65536, data.size() - 65536));
    EXPECT_EQ(c.WriteStatus()->status, Code::kOk);
    EXPECT_EQ(c.WriteStatus()->status, Code::kOk);
    c.Send(proto::CltocsWriteEnd{.chunkid = 1});
    auto [st, bytes] = c.Read(1, 1, 0, static_cast<uint32_t>(data.size()));
    EXPECT_EQ(st, Code::kOk);
    EXPECT_TRUE(bytes == data);
  }

  // hdd1 marked for removal, hdd2 added: new chunks go to hdd2.
  WriteFile(Path("mfshdd.cfg"), "*" + Path("hdd1") + "\n" + Path("hdd2") + "\n");
  ASSERT_EQ(Run("reload"), 0) << std::ifstream(Path("out.txt")).rdbuf();
  bool applied = false;
  for (int i = 0; i < 50 && !applied; ++i) {
    auto space = master_->WaitMsg<proto::CstomaSpace>(5s);
    ASSERT_TRUE(space);
    applied = space->removal_chunk_count == 1;
  }
  ASSERT_TRUE(applied);
  master_->Send(proto::MatocsCreateChunk{.chunkid = 2, .version = 1});
  ASSERT_EQ(master_->WaitMsg<proto::CstomaCreateChunk>()->status, Code::kOk);
  EXPECT_TRUE(std::filesystem::exists(Path("hdd2/02/chunk_0000000000000002_00000001.mfs")));

  EXPECT_EQ(Run("stop"), 0);
  EXPECT_EQ(Run("isalive"), 1);
}

}  // namespace
}  // namespace elk::chunkserver
