#include "common/net/blocking_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/protocol/frame.h"

namespace elk::net {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait(3000);

// A listening socket on 127.0.0.1 whose accepted end the test writes raw bytes to.
class RawPeer {
 public:
  RawPeer() {
    listen_.reset(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
    EXPECT_EQ(::listen(listen_.get(), 1), 0);
    socklen_t len = sizeof(sa);
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
  }
  BlockingClient Dial() {
    auto c = BlockingClient::Connect(Address{0x7f000001, port_}, kWait);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    peer_.reset(::accept(listen_.get(), nullptr, nullptr));
    return std::move(*c);
  }
  void Write(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(::write(peer_.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }

 private:
  UniqueFd listen_, peer_;
  uint16_t port_ = 0;
};

std::vector<uint8_t> FrameBytes(uint32_t type, size_t length, uint8_t fill) {
  std::vector<uint8_t> f(protocol::kFrameHeaderSize + length, fill);
  protocol::EncodeFrameHeader({type, static_cast<uint32_t>(length)}, f.data());
  return f;
}

void Append(std::vector<uint8_t>& to, const std::vector<uint8_t>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

TEST(BlockingClient, FramesArrivingTogetherAreReceivedOneByOneInOrder) {
  RawPeer peer;
  BlockingClient c = peer.Dial();
  std::vector<uint8_t> burst;
  Append(burst, FrameBytes(10, 20, 1));
  Append(burst, FrameBytes(0, 0, 0));  // a NOP, skipped
  Append(burst, FrameBytes(11, 100 * 1024, 2));
  Append(burst, FrameBytes(12, 3, 3));
  peer.Write(burst);
  for (auto [type, size, fill] : {std::tuple{10u, 20u, 1}, {11u, 100u * 1024, 2}, {12u, 3u, 3}}) {
    auto f = c.Receive(kWait);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->type, type);
    ASSERT_EQ(f->payload.size(), size);
    EXPECT_EQ(f->payload.front(), fill);
    EXPECT_EQ(f->payload.back(), fill);
  }
  EXPECT_EQ(c.Receive(milliseconds(50)).code(), Code::kTimeout);
}

TEST(BlockingClient, AFrameCutAnywhereArrivesWhole) {
  RawPeer peer;
  BlockingClient c = peer.Dial();
  const std::vector<uint8_t> f = FrameBytes(7, 40000, 9);
  std::thread writer([&] {
    // Inside the header, then inside the payload, then the rest.
    for (auto [from, to] : {std::pair<size_t, size_t>{0, 5}, {5, 30000}, {30000, f.size()}}) {
      peer.Write(
          {f.begin() + static_cast<ptrdiff_t>(from), f.begin() + static_cast<ptrdiff_t>(to)});
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  auto got = c.Receive(kWait);
  writer.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->type, 7u);
  EXPECT_EQ(got->payload, std::vector<uint8_t>(40000, 9));
}

}  // namespace
}  // namespace elk::net
