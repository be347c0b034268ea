#include "common/net/connector.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "common/net/blocking_client.h"
#include "common/net/connection.h"
#include "common/net/socket_options.h"
#include "common/net/test_server.h"

namespace elk::net {
namespace {

using std::chrono::milliseconds;

// A port on 127.0.0.1 that nothing listens on: bind an ephemeral one, then let it go.
uint16_t ClosedPort() {
  auto fd = NewTcpSocket();
  EXPECT_TRUE(fd.ok());
  sockaddr_in sa = Address{kLoopbackIp, 0}.ToSockaddr();
  EXPECT_EQ(::bind(fd->get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  return LocalAddress(fd->get())->port;
}

class ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(io.Start().ok()); }

  // Starts ConnectAsync on the loop and waits (bounded) for its outcome.
  Result<UniqueFd> ConnectAndWait(Address to, milliseconds timeout) {
    auto promise = std::make_shared<std::promise<Result<UniqueFd>>>();
    auto future = promise->get_future();
    io.Call([&] {
      ConnectAsync(io.loop(), to, timeout,
                   [promise](Result<UniqueFd> r) { promise->set_value(std::move(r)); });
    });
    if (future.wait_for(timeout + milliseconds(3000)) != std::future_status::ready) {
      return Status(Code::kIo, "ConnectAsync never called back");
    }
    return future.get();
  }

  LoopThread io;
};

TEST_F(ConnectorTest, ConnectsAndCarriesFrames) {
  testing::TestServer server(io);
  Address at = server.Start();
  auto fd = ConnectAndWait(at, milliseconds(2000));
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  auto got = std::make_shared<std::promise<std::vector<uint8_t>>>();
  auto conn = io.Call([&] {
    ConnectionHandlers h;
    h.on_frame = [got](Connection&, const protocol::FrameView& f) {
      got->set_value({f.payload.begin(), f.payload.end()});
      return Status::Ok();
    };
    auto c = Connection::Create(io.loop(), std::move(*fd), at, {}, std::move(h));
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE((*c)->Send(testing::kEcho, std::vector<uint8_t>{1, 2, 3}).ok());
    return *c;
  });
  auto future = got->get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  EXPECT_EQ(future.get(), (std::vector<uint8_t>{1, 2, 3}));
  io.Call([&] { conn.reset(); });
}

TEST_F(ConnectorTest, ClosedPortFailsCleanly) {
  Address to{kLoopbackIp, ClosedPort()};
  auto r = ConnectAndWait(to, milliseconds(2000));
  EXPECT_EQ(r.code(), Code::kCantConnect);
  EXPECT_NE(r.status().message().find(to.ToString()), std::string::npos);
  auto b = BlockingClient::Connect(to, milliseconds(2000));
  EXPECT_EQ(b.code(), Code::kCantConnect);
}

// A listener with a full accept queue drops new SYNs, so a connect to it hangs: the
// timeout must end it.
TEST_F(ConnectorTest, ConnectTimesOut) {
  auto fd = NewTcpSocket();
  ASSERT_TRUE(fd.ok());
  sockaddr_in sa = Address{kLoopbackIp, 0}.ToSockaddr();
  ASSERT_EQ(::bind(fd->get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(::listen(fd->get(), 0), 0);
  Address to = *LocalAddress(fd->get());
  std::vector<BlockingClient> fillers;
  bool full = false;
  for (int i = 0; i < 16 && !full; ++i) {
    auto c = BlockingClient::Connect(to, milliseconds(100));
    if (c.ok()) {
      fillers.push_back(std::move(*c));
    } else {
      full = c.code() == Code::kTimeout;
    }
  }
  if (!full) GTEST_SKIP() << "this kernel never let the accept queue fill";
  const auto start = Clock::now();
  auto r = ConnectAndWait(to, milliseconds(150));
  EXPECT_EQ(r.code(), Code::kTimeout) << r.status().ToString();
  EXPECT_GE(Clock::now() - start, milliseconds(140));
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
}

TEST_F(ConnectorTest, CancelledAttemptNeverCallsBack) {
  testing::TestServer server(io);
  Address at = server.Start();
  auto called = std::make_shared<std::atomic<bool>>(false);
  io.Call([&] {
    auto attempt = ConnectAsync(io.loop(), at, milliseconds(1000),
                                [called](Result<UniqueFd>) { called->store(true); });
    attempt->Cancel();
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(called->load());
}

}  // namespace
}  // namespace elk::net
