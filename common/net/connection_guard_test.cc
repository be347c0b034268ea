// The guards a server puts on a connection it does not trust yet, and on one that asks for
// more than it reads: the pre-hello frame limit and time-out, reserved replies, held
// reading, and the per-port connection caps.
#include <gtest/gtest.h>

#include <thread>

#include "common/net/blocking_client.h"
#include "common/net/connection.h"
#include "common/net/connection_limiter.h"
#include "common/net/listener.h"
#include "common/net/loop_thread.h"

namespace elk::net {
namespace {

using std::chrono::milliseconds;

constexpr uint32_t kHello = 1;  // trusts the connection
constexpr uint32_t kAsk = 2;    // reserves a 1 MiB reply and keeps it back
constexpr uint32_t kData = 3;   // counted, nothing else
constexpr milliseconds kWait(3000);

template <typename Pred>
bool Eventually(Pred pred, milliseconds limit = kWait) {
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// One connection at a time, on a LoopThread; the test reads its state through Call().
class GuardServer {
 public:
  GuardServer(LoopThread& io, ConnectionOptions options) : io_(io), options_(std::move(options)) {
    options_.max_payload = [](uint32_t type) { return type <= kData ? 2u << 20 : 0; };
  }
  ~GuardServer() {
    io_.Call([this] {
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
  size_t handled() {
    return io_.Call([this] { return handled_; });
  }
  bool closed() {
    return io_.Call([this] { return closed_; });
  }
  Status why() {
    return io_.Call([this] { return why_; });
  }
  // Sends every reply held back so far.
  void ReleaseReplies() {
    io_.Call([this] {
      for (auto& frame : held_) {
        const size_t n = frame.size();
        if (conn_) (void)conn_->SendFrame(std::move(frame), n);
      }
      held_.clear();
    });
  }
  void Hold(bool hold) {
    io_.Call([this, hold] { conn_->HoldReading(hold); });
  }
  size_t reserved() {
    return io_.Call([this] { return conn_ ? conn_->reserved_bytes() : 0; });
  }

 private:
  void Accept(UniqueFd fd, Address peer) {
    ConnectionHandlers h;
    h.on_frame = [this](Connection& c, const protocol::FrameView& f) { return OnFrame(c, f); };
    h.on_close = [this](Connection&, const Status& why) {
      closed_ = true;
      why_ = why;
    };
    ConnectionOptions options = options_;
    options_.slot.reset();  // a slot belongs to the first connection only
    auto conn = Connection::Create(io_.loop(), std::move(fd), peer, options, std::move(h));
    ASSERT_TRUE(conn.ok());
    conn_ = std::move(*conn);
  }
  Status OnFrame(Connection& c, const protocol::FrameView& f) {
    ++handled_;
    if (f.type == kHello) c.Trust();
    if (f.type != kAsk) return Status::Ok();
    std::vector<uint8_t> frame(protocol::kFrameHeaderSize + (1u << 20));
    protocol::EncodeFrameHeader({kData, 1u << 20}, frame.data());
    ELK_RETURN_IF_ERROR(c.Reserve(frame.size()));
    held_.push_back(std::move(frame));
    return Status::Ok();
  }

  LoopThread& io_;
  ConnectionOptions options_;
  std::unique_ptr<Listener> listener_;
  std::shared_ptr<Connection> conn_;
  std::vector<std::vector<uint8_t>> held_;
  size_t handled_ = 0;
  bool closed_ = false;
  Status why_;
};

std::vector<uint8_t> Header(uint32_t type, uint32_t length) {
  std::vector<uint8_t> h(protocol::kFrameHeaderSize);
  protocol::EncodeFrameHeader({type, length}, h.data());
  return h;
}

class ConnectionGuardTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(io.Start().ok()); }
  BlockingClient Dial(const Address& to) {
    auto c = BlockingClient::Connect(to, kWait);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }
  LoopThread io;
};

TEST_F(ConnectionGuardTest, ABigFrameBeforeTheHelloClosesAtItsHeader) {
  GuardServer server(io, {.untrusted_max_payload = 4096});
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(c.SendRaw(Header(kData, 1u << 20)).ok());  // the header alone: no payload sent
  ASSERT_TRUE(Eventually([&] { return server.closed(); }));
  EXPECT_EQ(server.why().code(), Code::kProtocol);
  EXPECT_NE(server.why().message().find("before the hello"), std::string::npos);
  EXPECT_EQ(server.handled(), 0u);
}

TEST_F(ConnectionGuardTest, AfterTheHelloBigFramesAreAllowed) {
  GuardServer server(io, {.untrusted_max_payload = 4096});
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(c.Send(kData, std::vector<uint8_t>(4096)).ok());  // at the limit: fine
  ASSERT_TRUE(c.Send(kHello, {}).ok());
  ASSERT_TRUE(c.Send(kData, std::vector<uint8_t>(1u << 20)).ok());
  ASSERT_TRUE(Eventually([&] { return server.handled() == 3; }));
  EXPECT_FALSE(server.closed());
}

TEST_F(ConnectionGuardTest, ASilentConnectionIsClosedAtTheHelloTimeout) {
  GuardServer server(io, {.hello_timeout = milliseconds(100)});
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(Eventually([&] { return server.closed(); }, milliseconds(2000)));
  EXPECT_EQ(server.why().code(), Code::kTimeout);
  auto f = c.Receive(kWait);
  EXPECT_EQ(f.status().code(), Code::kDisconnected);
}

TEST_F(ConnectionGuardTest, AHelloInTimeKeepsTheConnection) {
  GuardServer server(io, {.hello_timeout = milliseconds(100)});
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(c.Send(kHello, {}).ok());
  ASSERT_TRUE(Eventually([&] { return server.handled() == 1; }));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(server.closed());
}

TEST_F(ConnectionGuardTest, ReservedRepliesStopReadingAPeerThatAsksWithoutReading) {
  ConnectionOptions o;
  o.high_water = size_t{4} << 20;
  o.hard_limit = size_t{64} << 20;
  GuardServer server(io, o);
  BlockingClient c = Dial(server.Start());
  // 200 asks of a 1 MiB reply each (200 MiB) pipelined; the server holds every reply back.
  std::vector<uint8_t> asks;
  for (int i = 0; i < 200; ++i) {
    auto h = Header(kAsk, 0);
    asks.insert(asks.end(), h.begin(), h.end());
  }
  ASSERT_TRUE(c.SendRaw(asks).ok());
  ASSERT_TRUE(Eventually([&] { return server.handled() >= 4; }));
  std::this_thread::sleep_for(milliseconds(200));
  // Reading stopped once the reserved bytes passed the high water: 4 asks, not 200.
  EXPECT_EQ(server.handled(), 4u);
  EXPECT_LE(server.reserved(), size_t{5} << 20);
  EXPECT_FALSE(server.closed());
  // Sending what was reserved and reading it lets the next asks in, a few at a time.
  for (int round = 0; round < 400 && server.handled() < 200; ++round) {
    server.ReleaseReplies();
    while (true) {
      auto f = c.Receive(milliseconds(50));
      if (!f.ok()) break;
      ASSERT_EQ(f->payload.size(), 1u << 20);
    }
  }
  EXPECT_EQ(server.handled(), 200u);
  EXPECT_FALSE(server.closed());
}

TEST_F(ConnectionGuardTest, ReservingPastTheHardLimitCloses) {
  ConnectionOptions o;
  o.high_water = size_t{64} << 20;  // never paused: only the hard limit acts
  o.hard_limit = size_t{3} << 20;
  GuardServer server(io, o);
  BlockingClient c = Dial(server.Start());
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(c.Send(kAsk, {}).ok());
  ASSERT_TRUE(Eventually([&] { return server.closed(); }));
  EXPECT_EQ(server.why().code(), Code::kNoSpace);
  EXPECT_EQ(server.handled(), 3u);
}

TEST_F(ConnectionGuardTest, HeldReadingResumesWithTheFramesAlreadyBuffered) {
  GuardServer server(io, {});
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(c.Send(kData, {}).ok());
  ASSERT_TRUE(Eventually([&] { return server.handled() == 1; }));
  server.Hold(true);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(c.Send(kData, {}).ok());
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(server.handled(), 1u);
  server.Hold(false);
  ASSERT_TRUE(Eventually([&] { return server.handled() == 51; }));
}

TEST(ConnectionLimiterTest, CapsPerAddressAndInTotalAndGivesPlacesBack) {
  ConnectionLimiter limits("test", {.max_total = 3, .max_per_ip = 2});
  const Address a{0x7F000001, 1000}, b{0x7F000002, 1000}, c{0x7F000003, 1000};
  auto a1 = limits.Admit(a);
  auto a2 = limits.Admit(a);
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(limits.Admit(a));  // a third from the same address
  auto b1 = limits.Admit(b);
  ASSERT_TRUE(b1);
  EXPECT_FALSE(limits.Admit(c));  // three open in all
  EXPECT_EQ(limits.refused(), 2u);
  EXPECT_EQ(limits.open(), 3u);
  a1.reset();  // a connection closed
  EXPECT_EQ(limits.open_from(a.ip), 1u);
  EXPECT_TRUE(limits.Admit(c));  // its place is free (and the new slot dropped at once)
  EXPECT_EQ(limits.open(), 2u);
}

TEST(ConnectionLimiterTest, NoCapsAdmitsEveryone) {
  ConnectionLimiter limits("test", {});
  std::vector<std::shared_ptr<void>> slots;
  for (int i = 0; i < 1000; ++i)
    slots.push_back(limits.Admit(Address{0x7F000001, 1}));
  for (const auto& s : slots)
    EXPECT_TRUE(s);
  EXPECT_EQ(limits.open(), 1000u);
}

TEST_F(ConnectionGuardTest, AClosedConnectionReleasesItsSlot) {
  ConnectionLimiter limits("test", {.max_total = 1});
  ConnectionOptions o;
  o.slot = limits.Admit(Address{kLoopbackIp, 1});
  ASSERT_TRUE(o.slot);
  GuardServer server(io, o);
  o.slot.reset();
  BlockingClient c = Dial(server.Start());
  ASSERT_TRUE(Eventually([&] { return server.reserved() == 0 && limits.open() == 1; }));
  ASSERT_TRUE(c.SendRaw(Header(99, 0)).ok());  // unknown type: the server closes it
  ASSERT_TRUE(Eventually([&] { return server.closed(); }));
  // The closed Connection object still exists (the server holds it); its slot does not.
  EXPECT_EQ(limits.open(), 0u);
}

}  // namespace
}  // namespace elk::net
