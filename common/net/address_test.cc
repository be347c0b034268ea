#include "common/net/address.h"

#include <gtest/gtest.h>

namespace elk::net {
namespace {

TEST(Address, FormatsDottedQuadAndPort) {
  EXPECT_EQ(FormatIp(0x0a000102), "10.0.1.2");
  EXPECT_EQ((Address{kLoopbackIp, 9421}).ToString(), "127.0.0.1:9421");
  EXPECT_EQ(fmt::format("{}", Address{0xc0a80001, 1}), "192.168.0.1:1");
}

TEST(Address, ParsesIpv4AsHostOrderU32) {
  EXPECT_EQ(*ParseIp("10.0.1.2"), 0x0a000102u);
  EXPECT_EQ(*ParseIp("255.255.255.255"), 0xffffffffu);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.x", " 1.2.3.4", "1..2.3",
                          "0001.2.3.4", "-1.2.3.4"}) {
    EXPECT_EQ(ParseIp(bad).code(), Code::kInval) << bad;
  }
}

TEST(Address, ParsesPorts) {
  EXPECT_EQ(*ParsePort("0"), 0);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  for (const char* bad : {"", "65536", "-1", "9421x", " 1"}) {
    EXPECT_EQ(ParsePort(bad).code(), Code::kInval) << bad;
  }
}

TEST(Address, SockaddrRoundTrip) {
  Address a{0x7f000001, 9420};
  EXPECT_EQ(Address::FromSockaddr(a.ToSockaddr()), a);
}

TEST(Address, HostPortFromConfig) {
  EXPECT_EQ(*ParseHostPort("*:9421"), (Address{kAnyIp, 9421}));
  EXPECT_EQ(*ParseHostPort(":9421"), (Address{kAnyIp, 9421}));
  EXPECT_EQ(*ParseHostPort("10.1.2.3:9422"), (Address{0x0a010203, 9422}));
  EXPECT_EQ(*ParseHostPort("10.1.2.3", 9420), (Address{0x0a010203, 9420}));
  EXPECT_EQ(ParseHostPort("10.1.2.3").code(), Code::kInval);
  EXPECT_EQ(ParseHostPort("10.1.2.3:x").code(), Code::kInval);
  EXPECT_EQ(*Resolve("*", "9419"), (Address{kAnyIp, 9419}));
  EXPECT_EQ(*Resolve("", uint16_t{9419}), (Address{kAnyIp, 9419}));
}

TEST(Address, ResolvesNames) {
  auto a = ParseHostPort("localhost:9421");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->ip >> 24, 127u);  // 127.0.0.1 or another loopback the hosts file names
  EXPECT_EQ(a->port, 9421);
  EXPECT_EQ(ResolveHost("no-such-host.invalid").code(), Code::kNotFound);
}

}  // namespace
}  // namespace elk::net
