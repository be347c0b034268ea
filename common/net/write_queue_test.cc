#include "common/net/write_queue.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/net/unique_fd.h"
#include "common/protocol/frame.h"

namespace elk::net {
namespace {

struct SocketPair {
  UniqueFd a, b;
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
};

std::vector<uint8_t> ReadAll(int fd) {
  std::vector<uint8_t> out;
  uint8_t buf[65536];
  for (int i = 0; i < 10000; ++i) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

TEST(WriteQueue, ManyFramesLeaveInOneSyscall) {
  SocketPair sp;
  WriteQueue q;
  for (uint32_t i = 0; i < 100; ++i)
    q.Push(i + 1, std::vector<uint8_t>(i % 7, uint8_t(i)));
  std::vector<uint8_t> encoded(8);
  protocol::EncodeFrameHeader({500, 0}, encoded.data());
  q.PushEncoded(std::move(encoded));
  const size_t total = q.bytes();
  auto r = q.FlushTo(sp.a.get());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->syscalls, 1u);
  EXPECT_EQ(r->bytes, total);
  EXPECT_FALSE(r->blocked);
  EXPECT_TRUE(q.empty());

  std::vector<uint8_t> got = ReadAll(sp.b.get());
  ASSERT_EQ(got.size(), total);
  size_t at = 0;
  for (uint32_t i = 0; i < 100; ++i) {
    auto h = protocol::DecodeFrameHeader(got.data() + at);
    EXPECT_EQ(h.type, i + 1);
    EXPECT_EQ(h.length, i % 7);
    at += 8 + h.length;
  }
  EXPECT_EQ(protocol::DecodeFrameHeader(got.data() + at).type, 500u);
}

TEST(WriteQueue, PartialWritesResumeMidFrame) {
  SocketPair sp;
  int small = 4096;
  ::setsockopt(sp.a.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  WriteQueue q;
  std::vector<uint8_t> payload(300000);
  for (size_t i = 0; i < payload.size(); ++i)
    payload[i] = uint8_t(i * 13);
  q.Push(7, std::vector<uint8_t>(payload));
  std::vector<uint8_t> got;
  for (int i = 0; i < 100000 && !q.empty(); ++i) {
    auto r = q.FlushTo(sp.a.get());
    ASSERT_TRUE(r.ok());
    auto more = ReadAll(sp.b.get());
    got.insert(got.end(), more.begin(), more.end());
  }
  auto more = ReadAll(sp.b.get());
  got.insert(got.end(), more.begin(), more.end());
  ASSERT_TRUE(q.empty());
  ASSERT_EQ(got.size(), 8 + payload.size());
  EXPECT_EQ(protocol::DecodeFrameHeader(got.data()).length, payload.size());
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), got.begin() + 8));
}

TEST(WriteQueue, ClosedPeerIsAnErrorNotASignal) {
  SocketPair sp;
  sp.b.reset();
  WriteQueue q;
  q.Push(1, std::vector<uint8_t>(10));
  auto r = q.FlushTo(sp.a.get());
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace elk::net
