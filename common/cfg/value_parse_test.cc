#include "common/cfg/value_parse.h"

#include <gtest/gtest.h>

namespace elk::cfg {
namespace {

TEST(ParseInteger, AcceptsDecimalSignedAndHex) {
  EXPECT_EQ(*ParseInteger("300"), 300);
  EXPECT_EQ(*ParseInteger("-7"), -7);
  EXPECT_EQ(*ParseInteger("+7"), 7);
  EXPECT_EQ(*ParseInteger("0x1F"), 31);
  EXPECT_EQ(*ParseInteger("010"), 10);  // leading zeros are not octal
  EXPECT_EQ(*ParseInteger("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInteger, RefusesJunkWithReason) {
  auto r = ParseInteger("abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::kBadConfig);
  EXPECT_EQ(r.status().message(), "'abc' is not an integer");
  EXPECT_FALSE(ParseInteger("").ok());
  EXPECT_FALSE(ParseInteger("12x").ok());
  EXPECT_FALSE(ParseInteger("-").ok());
  EXPECT_FALSE(ParseInteger("9223372036854775808").ok());
}

TEST(ParseSize, UnitsArePowersOf1024) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("64MiB"), 64ull << 20);
  EXPECT_EQ(*ParseSize("1GiB"), 1ull << 30);
  EXPECT_EQ(*ParseSize("10G"), 10ull << 30);
  EXPECT_EQ(*ParseSize("512M"), 512ull << 20);
  EXPECT_EQ(*ParseSize("256MB"), 256ull << 20);
  EXPECT_EQ(*ParseSize("1k"), 1024u);
  EXPECT_EQ(*ParseSize("2 TiB"), 2ull << 40);
  EXPECT_EQ(*ParseSize("1.5GiB"), 3ull << 29);
  EXPECT_EQ(*ParseSize("7B"), 7u);
}

TEST(ParseSize, RefusesBadUnitsAndOverflow) {
  EXPECT_FALSE(ParseSize("10X").ok());
  EXPECT_FALSE(ParseSize("10GiBs").ok());
  EXPECT_FALSE(ParseSize("-1").ok());
  EXPECT_FALSE(ParseSize("1.5").ok());
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("16EiB").ok());
}

TEST(ParseBool, AcceptsMooseFsWords) {
  for (auto t : {"1", "yes", "YES", "true", "on"})
    EXPECT_TRUE(*ParseBool(t)) << t;
  for (auto f : {"0", "no", "False", "off"})
    EXPECT_FALSE(*ParseBool(f)) << f;
  EXPECT_FALSE(ParseBool("2").ok());
  EXPECT_FALSE(ParseBool("").ok());
}

TEST(ParseDuration, SecondsAndUnits) {
  EXPECT_EQ(*ParseDuration("90"), 90);
  EXPECT_EQ(*ParseDuration("2h"), 7200);
  EXPECT_EQ(*ParseDuration("1d"), 86400);
  EXPECT_EQ(*ParseDuration("1w"), 604800);
  EXPECT_EQ(*ParseDuration("1d12h"), 86400 + 43200);
  EXPECT_EQ(*ParseDuration("5m30s"), 330);
  EXPECT_FALSE(ParseDuration("-5").ok());
  EXPECT_FALSE(ParseDuration("2x").ok());
  EXPECT_FALSE(ParseDuration("h").ok());
  EXPECT_FALSE(ParseDuration("2h5").ok());
  EXPECT_FALSE(ParseDuration("99999999999999999w").ok());
}

TEST(ParseDouble, FiniteOnly) {
  EXPECT_DOUBLE_EQ(*ParseDouble("0.25"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseDouble("-3"), -3.0);
  EXPECT_FALSE(ParseDouble("inf").ok());
  EXPECT_FALSE(ParseDouble("nan").ok());
  EXPECT_FALSE(ParseDouble("1.0x").ok());
}

TEST(ParsePort, Range) {
  EXPECT_EQ(*ParsePort("9421"), 9421);
  EXPECT_FALSE(ParsePort("0").ok());
  EXPECT_FALSE(ParsePort("65536").ok());
  EXPECT_FALSE(ParsePort("http").ok());
}

TEST(ParseHost, NamesAddressesAndStar) {
  EXPECT_EQ(*ParseHost("*"), "*");
  EXPECT_EQ(*ParseHost("mfsmaster"), "mfsmaster");
  EXPECT_EQ(*ParseHost("10.1.2.3"), "10.1.2.3");
  EXPECT_FALSE(ParseHost("10.1.2.300").ok());
  EXPECT_FALSE(ParseHost("a b").ok());
  EXPECT_FALSE(ParseHost("").ok());
}

TEST(ParseIPv4, Forms) {
  EXPECT_EQ(*ParseIPv4("192.168.1.2"), 0xC0A80102u);
  EXPECT_EQ(*ParseIPv4("0.0.0.0"), 0u);
  EXPECT_FALSE(ParseIPv4("1.2.3").ok());
  EXPECT_FALSE(ParseIPv4("1.2.3.4.5").ok());
  EXPECT_FALSE(ParseIPv4("1..3.4").ok());
  auto r = ParseIPv4("1.2.3.256");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("over 255"), std::string::npos);
}

TEST(ParseOctalMode, Umask) {
  EXPECT_EQ(*ParseOctalMode("027"), 027u);
  EXPECT_EQ(*ParseOctalMode("0022"), 022u);
  EXPECT_FALSE(ParseOctalMode("8").ok());
  EXPECT_FALSE(ParseOctalMode("1000").ok());
}

}  // namespace
}  // namespace elk::cfg
