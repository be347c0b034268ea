// Connection behaviour that needs no TCP: a socketpair and a loop driven by the test.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/net/connection.h"

namespace elk::net {
namespace {

using std::chrono::milliseconds;

struct Local {
  std::unique_ptr<EventLoop> loop = EventLoop::Create().value();
  UniqueFd peer;
  std::shared_ptr<Connection> conn;
  int closes = 0;
  Status why;

  explicit Local(ConnectionOptions options = {}) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    peer.reset(fds[1]);
    ConnectionHandlers h;
    h.on_close = [this](Connection&, const Status& s) {
      ++closes;
      why = s;
    };
    auto c = Connection::Create(*loop, UniqueFd(fds[0]), Address{kLoopbackIp, 1},
                                std::move(options), std::move(h));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    conn = std::move(*c);
  }
  void Spin(int iterations = 5) {
    for (int i = 0; i < iterations; ++i)
      EXPECT_TRUE(loop->RunOnce(milliseconds(1)).ok());
  }
};

TEST(ConnectionLocal, SendFrameChecksTheHeaderItIsGiven) {
  Local l;
  EXPECT_EQ(l.conn->SendFrame(std::vector<uint8_t>(5)).code(), Code::kInval);
  std::vector<uint8_t> frame(8 + 3);
  protocol::EncodeFrameHeader({7, 4}, frame.data());  // says 4, carries 3
  EXPECT_EQ(l.conn->SendFrame(std::vector<uint8_t>(frame)).code(), Code::kInval);
  protocol::EncodeFrameHeader({7, 3}, frame.data());
  EXPECT_TRUE(l.conn->SendFrame(std::move(frame)).ok());
  l.Spin();
  uint8_t got[64];
  EXPECT_EQ(::read(l.peer.get(), got, sizeof(got)), 11);
  EXPECT_EQ(protocol::DecodeFrameHeader(got).type, 7u);
}

TEST(ConnectionLocal, CloseIsIdempotentAndReportedOnceFromTheLoop) {
  Local l;
  l.conn->Close();
  l.conn->Close(Status(Code::kIo, "second"));
  EXPECT_EQ(l.closes, 0);  // not inside the caller's call
  l.Spin();
  EXPECT_EQ(l.closes, 1);
  EXPECT_TRUE(l.why.ok());
  EXPECT_EQ(l.conn->Send(1, std::vector<uint8_t>{1}).code(), Code::kDisconnected);
  EXPECT_EQ(l.loop->watch_count(), 0u);
  // The peer sees the close.
  uint8_t b;
  EXPECT_EQ(::read(l.peer.get(), &b, 1), 0);
}

TEST(ConnectionLocal, DroppingTheConnectionClosesSilently) {
  Local l;
  l.conn.reset();
  l.Spin();
  EXPECT_EQ(l.closes, 0);
  EXPECT_EQ(l.loop->watch_count(), 0u);
  EXPECT_EQ(l.loop->timer_count(), 0u);
}

TEST(ConnectionLocal, ReadingPausesOverHighWater) {
  ConnectionOptions o;
  o.high_water = 64 << 10;
  o.hard_limit = 16 << 20;
  Local l(o);
  // More than the socketpair can hold, so the queue stays over high water.
  for (int i = 0; i < 64; ++i) {
    ASSERT_TRUE(l.conn->Send(1, std::vector<uint8_t>(64 << 10)).ok());
  }
  EXPECT_TRUE(l.conn->over_high_water());
  uint8_t nop[8] = {};
  ASSERT_EQ(::write(l.peer.get(), nop, 8), 8);
  l.Spin();
  ASSERT_TRUE(l.conn->over_high_water());
  EXPECT_EQ(l.conn->stats().nops_received, 0u);  // not read while over high water
  // The peer drains; the queue falls below high_water/2 and reading resumes.
  std::vector<uint8_t> sink(1 << 20);
  size_t drained = 0;
  for (int i = 0; i < 10000 && l.conn->stats().nops_received == 0; ++i) {
    ssize_t n = ::read(l.peer.get(), sink.data(), sink.size());
    if (n > 0) drained += static_cast<size_t>(n);
    l.Spin(1);
  }
  EXPECT_FALSE(l.conn->over_high_water());
  EXPECT_EQ(l.conn->stats().nops_received, 1u);
  EXPECT_GT(drained, 3u << 20);
}

TEST(ConnectionLocal, HardLimitRefusesAndCloses) {
  ConnectionOptions o;
  o.high_water = 100;
  o.hard_limit = 1000;
  Local l(o);
  EXPECT_TRUE(l.conn->Send(1, std::vector<uint8_t>(900)).ok());
  EXPECT_EQ(l.conn->Send(1, std::vector<uint8_t>(200)).code(), Code::kNoSpace);
  EXPECT_FALSE(l.conn->open());
  l.Spin();
  EXPECT_EQ(l.closes, 1);
  EXPECT_EQ(l.why.code(), Code::kNoSpace);
}

}  // namespace
}  // namespace elk::net
