// A write chain whose next server never answers: what the previous hop sends must not pile
// up in the chunkserver without bound, and the write must fail, naming that server.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>

#include "chunkserver/server/chunk_ops.h"
#include "chunkserver/server/chunk_server.h"
#include "chunkserver/server/test_harness.h"

namespace elk::chunkserver::testing {
namespace {

using elk::kBlockSize;
using Clock = std::chrono::steady_clock;

// A port that takes connections into its listen backlog and never accepts nor reads them.
struct DeafHop {
  DeafHop() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd.get(), 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  net::UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  uint16_t port = 0;
};

// Sends `frames` without blocking for up to `wait`; the bytes the peer took.
size_t Offer(int fd, const std::vector<std::vector<uint8_t>>& frames,
             std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  size_t sent = 0;
  for (const auto& f : frames) {
    size_t done = 0;
    while (done < f.size()) {
      ssize_t n = ::send(fd, f.data() + done, f.size() - done, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        sent += static_cast<size_t>(n);
        continue;
      }
      if (Clock::now() >= deadline) return sent;
      pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
      ::poll(&p, 1, 50);
    }
  }
  return sent;
}

TEST(ChainHopTest, ADeafNextServerHoldsTheWriterBackThenFailsTheWrite) {
  net::LoopThread loop;
  ASSERT_TRUE(loop.Start().ok());
  TestServer a;
  ServerConfig config = BaseConfig(a.dir.path(), 0);
  config.csserv_timeout = std::chrono::milliseconds(3000);
  loop.Call([&] {
    auto s = ChunkServer::Create(loop.loop(), config);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    a.server = std::move(*s);
    a.port = a.server->port();
  });
  const ChunkName name{0x77, 1};
  ASSERT_TRUE(loop.Call([&] { return CreateChunk(a.server->disks(), name); }).ok());
  DeafHop hop;

  DataClient c = DataClient::Connect(a.port);
  const auto start = Clock::now();
  c.Send(proto::CltocsWriteInit{.chunkid = name.id, .version = 1, .chain = {Loopback(hop.port)}});
  // 1024 blocks (64 MiB), offered at once without waiting for any answer.
  const auto block = RandomBytes(kBlockSize, 9);
  std::vector<std::vector<uint8_t>> frames;
  for (uint32_t i = 0; i < 1024; ++i) {
    auto f = proto::EncodeFrame(proto::CltocsWriteData{.chunkid = name.id,
                                                       .write_id = i + 1,
                                                       .block = static_cast<uint16_t>(i),
                                                       .offset = 0,
                                                       .crc = crc::Crc32c(block),
                                                       .data = block});
    ASSERT_TRUE(f.ok());
    frames.push_back(std::move(*f));
  }
  const size_t taken = Offer(c.fd(), frames, std::chrono::milliseconds(1500));
  ::testing::Test::RecordProperty("bytes_let_in", std::to_string(taken));
  // At most 64 writes in flight (4 MiB) plus what the sockets on both sides buffer.
  EXPECT_LT(taken, size_t{24} << 20) << "bytes the chunkserver let in";
  EXPECT_GT(taken, size_t{4} << 20);

  // The next server said nothing for CSSERV_TIMEOUT: the init fails, naming it.
  auto init = c.WriteStatus(std::chrono::milliseconds(10000));
  ASSERT_TRUE(init);
  EXPECT_EQ(init->write_id, 0u);
  EXPECT_NE(init->status, Code::kOk);
  EXPECT_EQ(init->server.port, hop.port);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(8));
  // The writes held meanwhile fail the same way.
  auto first = c.WriteStatus();
  ASSERT_TRUE(first);
  EXPECT_NE(first->write_id, 0u);
  EXPECT_NE(first->status, Code::kOk);
  EXPECT_EQ(first->server.port, hop.port);

  loop.Call([&] { a.server.reset(); });
  loop.Stop();
}

}  // namespace
}  // namespace elk::chunkserver::testing
