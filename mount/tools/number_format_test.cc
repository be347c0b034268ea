#include "mount/tools/number_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace elk::tools {
namespace {

TEST(Humanize, SmallNumbersStayIntegers) {
  EXPECT_EQ(Humanize(0, false), "0");
  EXPECT_EQ(Humanize(6, false), "6");
  EXPECT_EQ(Humanize(999, false), "999");
  EXPECT_EQ(Humanize(999, true), "999");
}

TEST(Humanize, BinaryPrefixesRoundLikeMooseFs) {
  EXPECT_EQ(Humanize(1000, false), "1.0Ki");  // 0.98 Ki rounds up to one decimal
  EXPECT_EQ(Humanize(1024, false), "1.0Ki");
  EXPECT_EQ(Humanize(1536, false), "1.5Ki");
  EXPECT_EQ(Humanize(10240, false), "10Ki");
  EXPECT_EQ(Humanize(220000006, false), "210Mi");      // the sample's length
  EXPECT_EQ(Humanize(220184576, false), "210Mi");      // size
  EXPECT_EQ(Humanize(440369152, false), "420Mi");      // realsize
  EXPECT_EQ(Humanize(1023ull << 20, false), "1.0Gi");  // 999.5 and up moves to the next
  EXPECT_EQ(Humanize(5ull << 40, false), "5.0Ti");
  EXPECT_EQ(Humanize(std::numeric_limits<uint64_t>::max(), false), "16Ei");
}

TEST(Humanize, DecimalPrefixes) {
  EXPECT_EQ(Humanize(220000006, true), "220M");
  EXPECT_EQ(Humanize(999499, true), "999k");
  EXPECT_EQ(Humanize(999500, true), "1.0M");
  EXPECT_EQ(Humanize(1250000000, true), "1.3G");
  EXPECT_EQ(Humanize(std::numeric_limits<uint64_t>::max(), true), "18E");
}

TEST(NumberFormat, PlainColumnsAreTenOrTwentyWide) {
  NumberFormat nf;
  EXPECT_EQ(nf.Column(3, true, false), "         3");
  EXPECT_EQ(nf.Column(220000006, false, true), "           220000006");
}

TEST(NumberFormat, HumanColumnsKeepTheirWidth) {
  NumberFormat h(HumanMode::kBinary, FixedUnit::kOne);
  EXPECT_EQ(h.Column(6, false, false), "     6");
  EXPECT_EQ(h.Column(220000006, false, true), "210MiB");
  EXPECT_EQ(h.Column(6, false, true), "    6B");
  NumberFormat d(HumanMode::kDecimal, FixedUnit::kOne);
  EXPECT_EQ(d.Column(6, false, false), "    6");
  EXPECT_EQ(d.Column(220000006, false, true), "220MB");
}

TEST(NumberFormat, ExactModesAppendThePlainNumber) {
  NumberFormat h(HumanMode::kBinaryExact, FixedUnit::kOne);
  EXPECT_EQ(h.Column(220000006, false, true), "210MiB (           220000006)");
  EXPECT_EQ(h.Column(3, true, false), "     3 (         3)");
}

TEST(NumberFormat, FixedUnitsTruncateAndNarrow) {
  NumberFormat k(HumanMode::kPlain, FixedUnit::kKibi);
  EXPECT_EQ(k.Column(220000006, false, true), "           214843");  // 17 wide
  NumberFormat m(HumanMode::kPlain, FixedUnit::kMebi);
  EXPECT_EQ(m.Column(220000006, false, true), "           209");  // 14 wide
  NumberFormat g(HumanMode::kPlain, FixedUnit::kGibi);
  EXPECT_EQ(g.Column(3, true, false), "0");  // 1 wide
  EXPECT_EQ(g.Column(5ull << 30, false, true), "          5");
}

TEST(NumberFormat, SwitchesAndEnvironment) {
  NumberFormat nf;
  EXPECT_TRUE(nf.ApplySwitch('h'));
  EXPECT_EQ(nf.human(), HumanMode::kBinary);
  EXPECT_TRUE(nf.ApplySwitch('n'));
  EXPECT_EQ(nf.human(), HumanMode::kPlain);
  EXPECT_TRUE(nf.ApplySwitch('m'));
  EXPECT_EQ(nf.unit(), FixedUnit::kMebi);
  EXPECT_FALSE(nf.ApplySwitch('r'));
  EXPECT_EQ(NumberFormat::FromEnv("h+").human(), HumanMode::kBinaryExact);
  EXPECT_EQ(NumberFormat::FromEnv("H").human(), HumanMode::kDecimal);
  EXPECT_EQ(NumberFormat::FromEnv("4").human(), HumanMode::kDecimalExact);
  EXPECT_EQ(NumberFormat::FromEnv("x").human(), HumanMode::kPlain);
  EXPECT_EQ(NumberFormat::FromEnv(std::nullopt).human(), HumanMode::kPlain);
}

TEST(NumberFormat, BareValuesForScripts) {
  EXPECT_EQ(NumberFormat().Bare(220000006, true), "220000006");
  EXPECT_EQ(NumberFormat(HumanMode::kBinary, FixedUnit::kOne).Bare(220000006, true), "210MiB");
  EXPECT_EQ(NumberFormat(HumanMode::kBinary, FixedUnit::kOne).Bare(6, false), "    6");
}

}  // namespace
}  // namespace elk::tools
