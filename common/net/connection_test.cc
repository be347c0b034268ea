#include "common/net/connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/log/log.h"
#include "common/net/blocking_client.h"
#include "common/net/test_server.h"

namespace elk::net {
namespace {

using std::chrono::milliseconds;
using testing::kBurst;
using testing::kEcho;
using testing::kFail;
using testing::kRefuse;
using testing::TestServer;

constexpr milliseconds kWait(3000);

std::vector<uint8_t> Bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

BlockingClient Dial(const Address& to) {
  auto c = BlockingClient::Connect(to, kWait);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

void ExpectEcho(BlockingClient& c, std::string_view text) {
  ASSERT_TRUE(c.Send(kEcho, Bytes(text)).ok());
  auto f = c.Receive(kWait);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->type, kEcho);
  EXPECT_EQ(f->payload, Bytes(text));
}

// Waits, bounded in time, until pred() holds; false if it never did.
template <typename Pred>
bool Eventually(Pred pred, milliseconds limit = kWait) {
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(io.Start().ok()); }
  LoopThread io;
};

TEST_F(ConnectionTest, FrameRoundTrip) {
  TestServer server(io);
  BlockingClient c = Dial(server.Start());
  ExpectEcho(c, "hello");
  ExpectEcho(c, "");
  ExpectEcho(c, std::string(70000, 'x'));  // a 64 KiB+ data frame
  EXPECT_EQ(server.open_count(), 1u);
}

TEST_F(ConnectionTest, FramesQueuedInOneBatchLeaveInOneWritev) {
  TestServer server(io);
  BlockingClient c = Dial(server.Start());
  ExpectEcho(c, "warm up");
  const uint64_t writes_before = server.stats(0).write_calls;
  ASSERT_TRUE(c.Send(kBurst, std::vector<uint8_t>{200}).ok());
  for (int i = 0; i < 200; ++i) {
    auto f = c.Receive(kWait);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_EQ(f->payload, std::vector<uint8_t>{uint8_t(i)});
  }
  ConnectionStats s = server.stats(0);
  EXPECT_EQ(s.write_calls - writes_before, 1u);
  EXPECT_EQ(s.frames_queued, 201u);
}

TEST_F(ConnectionTest, BigFrameSplitAcrossReadsArrivesWhole) {
  TestServer server(io);
  BlockingClient c = Dial(server.Start());
  std::vector<uint8_t> payload(1 << 20);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = uint8_t(i * 7 + i / 251);
  std::vector<uint8_t> frame(8 + payload.size());
  protocol::EncodeFrameHeader({kEcho, uint32_t(payload.size())}, frame.data());
  std::copy(payload.begin(), payload.end(), frame.begin() + 8);
  // Header and a few bytes, then the rest in pieces with pauses: the server must wait.
  std::span<const uint8_t> rest(frame);
  for (size_t piece : {size_t{5}, size_t{100}, size_t{300000}, size_t{200000}}) {
    ASSERT_TRUE(c.SendRaw(rest.first(piece)).ok());
    rest = rest.subspan(piece);
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(server.handled_types().empty());
  ASSERT_TRUE(c.SendRaw(rest).ok());
  auto f = c.Receive(kWait);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->type, kEcho);
  EXPECT_TRUE(f->payload == payload);
  EXPECT_EQ(server.handled_types(), std::vector<uint32_t>{kEcho});
  EXPECT_GE(server.stats(0).read_calls, 5u);
}

TEST_F(ConnectionTest, OversizedFrameClosesOnlyThatPeer) {
  TestServer server(io);
  Address at = server.Start();
  BlockingClient good = Dial(at);
  BlockingClient bad = Dial(at);
  ExpectEcho(good, "before");
  const uint64_t warnings = log::LinesWritten(log::Level::kWarning);
  uint8_t header[8];
  protocol::EncodeFrameHeader({kEcho, 100u << 20}, header);  // 100 MiB, limit is 2 MiB
  ASSERT_TRUE(bad.SendRaw(header).ok());
  EXPECT_EQ(bad.Receive(kWait).code(), Code::kDisconnected);
  ExpectEcho(good, "after");
  auto closed = server.closed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].why.code(), Code::kProtocol);
  EXPECT_NE(closed[0].why.message().find("over its limit"), std::string::npos);
  EXPECT_GT(log::LinesWritten(log::Level::kWarning), warnings);
  EXPECT_EQ(server.open_count(), 1u);
}

TEST_F(ConnectionTest, UnknownTypeClosesOnlyThatPeer) {
  TestServer server(io);
  Address at = server.Start();
  BlockingClient good = Dial(at);
  BlockingClient bad = Dial(at);
  ASSERT_TRUE(bad.Send(999, Bytes("?")).ok());
  EXPECT_EQ(bad.Receive(kWait).code(), Code::kDisconnected);
  ExpectEcho(good, "still here");
  auto closed = server.closed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_NE(closed[0].why.message().find("unknown frame type 999"), std::string::npos);
  EXPECT_TRUE(server.handled_types() == std::vector<uint32_t>{kEcho});
}

TEST_F(ConnectionTest, HandlerErrorClosesOnlyThatConnection) {
  TestServer server(io);
  Address at = server.Start();
  BlockingClient good = Dial(at);
  BlockingClient bad = Dial(at);
  // The echo queued before the failing frame was handled is dropped with the connection.
  ASSERT_TRUE(bad.Send(kFail, Bytes("x")).ok());
  EXPECT_EQ(bad.Receive(kWait).code(), Code::kDisconnected);
  ExpectEcho(good, "unaffected");
  auto closed = server.closed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].why.code(), Code::kInval);
}

TEST_F(ConnectionTest, CloseAfterFlushDeliversTheLastFrame) {
  TestServer server(io);
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(c.Send(kRefuse, Bytes("version mismatch")).ok());
  auto f = c.Receive(kWait);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->payload, Bytes("version mismatch"));
  EXPECT_EQ(c.Receive(kWait).code(), Code::kDisconnected);
  ASSERT_TRUE(Eventually([&] { return server.closed().size() == 1; }));
  EXPECT_EQ(server.closed()[0].why.code(), Code::kMismatch);
}

TEST_F(ConnectionTest, NopIsSentWhenIdleAndSwallowedOnReceipt) {
  ConnectionOptions o = TestServer::DefaultOptions();
  o.keepalive = milliseconds(40);
  TestServer server(io, o);
  BlockingClient c = Dial(server.Start());
  auto nop = c.ReceiveAny(kWait);
  ASSERT_TRUE(nop.ok()) << nop.status().ToString();
  EXPECT_EQ(nop->type, kNopType);
  EXPECT_TRUE(nop->payload.empty());
  // Our NOP never reaches the handler; the echo after it does.
  ASSERT_TRUE(c.Send(kNopType, {}).ok());
  ExpectEcho(c, "after nop");
  EXPECT_EQ(server.handled_types(), std::vector<uint32_t>{kEcho});
  ConnectionStats s = server.stats(0);
  EXPECT_EQ(s.nops_received, 1u);
  EXPECT_GE(s.nops_sent, 1u);
}

TEST_F(ConnectionTest, NopWithPayloadIsAProtocolError) {
  TestServer server(io);
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(c.Send(kNopType, Bytes("x")).ok());
  EXPECT_EQ(c.Receive(kWait).code(), Code::kDisconnected);
}

TEST_F(ConnectionTest, IdleReceiveTimeoutCloses) {
  ConnectionOptions o = TestServer::DefaultOptions();
  o.idle_timeout = milliseconds(100);
  TestServer server(io, o);
  BlockingClient c = Dial(server.Start());
  const auto start = Clock::now();
  EXPECT_EQ(c.Receive(kWait).code(), Code::kDisconnected);
  EXPECT_GE(Clock::now() - start, milliseconds(90));
  auto closed = server.closed();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].why.code(), Code::kTimeout);
}

// Two Connections: the client's keep-alive holds the server's idle timeout off.
TEST_F(ConnectionTest, KeepAliveKeepsAnIdlePeerOpen) {
  ConnectionOptions server_options = TestServer::DefaultOptions();
  server_options.idle_timeout = milliseconds(150);
  TestServer server(io, server_options);
  Address at = server.Start();
  BlockingClient dialer = Dial(at);  // only to get a connected socket quickly
  UniqueFd fd(::dup(dialer.fd()));
  dialer.Close();
  std::shared_ptr<Connection> client = io.Call([&] {
    ConnectionOptions o;
    o.keepalive = milliseconds(30);
    auto c = Connection::Create(io.loop(), std::move(fd), at, o, {});
    EXPECT_TRUE(c.ok());
    return *c;
  });
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_TRUE(server.closed().empty());
  EXPECT_TRUE(server.handled_types().empty());
  EXPECT_GE(server.stats(0).nops_received, 5u);
  io.Call([&] { client.reset(); });
}

// A server-side producer of 256 KiB frames, one every millisecond, to whoever connects.
// With obey_pressure it pauses on the high-water signal and resumes when drained.
class Flood {
 public:
  static constexpr size_t kFrame = 256 << 10;

  Flood(LoopThread& io, bool obey_pressure, size_t max_frames)
      : io_(io), obey_(obey_pressure), max_frames_(max_frames) {}
  ~Flood() {
    io_.Call([this] {
      io_.loop().Cancel(timer_);
      conn_.reset();
      listener_.reset();
    });
  }

  Address Start() {
    return io_.Call([this] {
      auto l = Listener::Create(io_.loop(), Address{kLoopbackIp, 0},
                                [this](UniqueFd fd, Address peer) { Accept(std::move(fd), peer); });
      EXPECT_TRUE(l.ok());
      listener_ = std::move(*l);
      return listener_->address();
    });
  }

  struct Report {
    bool connected = false;
    int pressure_on = 0;
    int pressure_off = 0;
    bool closed = false;
    Status why;
    size_t sent = 0;
    size_t max_queued = 0;
  };
  Report report() {
    return io_.Call([this] { return report_; });
  }

 private:
  void Accept(UniqueFd fd, Address peer) {
    ConnectionOptions o;
    o.high_water = 1 << 20;
    o.hard_limit = 4 << 20;
    ConnectionHandlers h;
    h.on_pressure = [this](Connection&, bool on) {
      ++(on ? report_.pressure_on : report_.pressure_off);
    };
    h.on_close = [this](Connection& c, const Status& why) {
      report_.closed = true;
      report_.why = why;
      report_.max_queued = c.stats().max_queued_bytes;
      io_.loop().Cancel(timer_);
    };
    auto c = Connection::Create(io_.loop(), std::move(fd), peer, o, std::move(h));
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
    report_.connected = true;
    timer_ = io_.loop().RunEvery(milliseconds(1), [this] { Produce(); });
  }

  void Produce() {
    for (int i = 0; i < 4 && conn_->open() && report_.sent < max_frames_; ++i) {
      if (obey_ && conn_->over_high_water()) return;
      if (!conn_->Send(kEcho, std::vector<uint8_t>(kFrame, 0x5a)).ok()) return;
      ++report_.sent;
      report_.max_queued = std::max(report_.max_queued, conn_->queued_bytes());
    }
  }

  LoopThread& io_;
  bool obey_;
  size_t max_frames_;
  std::unique_ptr<Listener> listener_;
  std::shared_ptr<Connection> conn_;
  TimerId timer_ = kNoTimer;
  Report report_;
};

TEST_F(ConnectionTest, PeerThatNeverReadsHitsHighWaterThenHardLimit) {
  TestServer server(io);
  BlockingClient bystander = Dial(server.Start());
  Flood flood(io, /*obey_pressure=*/false, /*max_frames=*/100000);
  BlockingClient sink = Dial(flood.Start());  // connected, never reads
  ASSERT_TRUE(Eventually([&] { return flood.report().closed; }, milliseconds(10000)));
  Flood::Report r = flood.report();
  EXPECT_GE(r.pressure_on, 1);
  EXPECT_EQ(r.why.code(), Code::kNoSpace);
  EXPECT_NE(r.why.message().find("hard limit"), std::string::npos);
  EXPECT_LE(r.max_queued, size_t{4} << 20);  // memory stayed bounded
  ExpectEcho(bystander, "the loop still serves others");
}

TEST_F(ConnectionTest, ProducerThatObeysPressureDeliversEverything) {
  constexpr size_t kFrames = 64;  // 16 MiB in all, well over kernel buffers + high water
  Flood flood(io, /*obey_pressure=*/true, kFrames);
  BlockingClient c = Dial(flood.Start());
  ASSERT_TRUE(Eventually([&] { return flood.report().pressure_on > 0; }, milliseconds(10000)));
  for (size_t i = 0; i < kFrames; ++i) {
    auto f = c.Receive(milliseconds(5000));
    ASSERT_TRUE(f.ok()) << i << ": " << f.status().ToString();
    ASSERT_EQ(f->payload.size(), Flood::kFrame);
  }
  Flood::Report r = flood.report();
  EXPECT_FALSE(r.closed);
  EXPECT_EQ(r.sent, kFrames);
  EXPECT_GE(r.pressure_off, 1);
  EXPECT_LE(r.max_queued, (size_t{1} << 20) + Flood::kFrame + 8);
}

}  // namespace
}  // namespace elk::net
