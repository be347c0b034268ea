#include "mount/tools/options.h"

#include <gtest/gtest.h>

namespace elk::tools {
namespace {

Result<ParsedArgs> Parse(std::vector<std::string> args, std::string_view allowed) {
  return ParseSwitches(args, allowed);
}

TEST(ParseSwitches, GroupedSwitchesThenOperands) {
  auto p = Parse({"-rh", "-n", "a", "-x"}, "rnhHkmg");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->switches, "rhn");
  EXPECT_EQ(p->operands, (std::vector<std::string>{"a", "-x"}));
  EXPECT_TRUE(p->has('r'));
  EXPECT_FALSE(p->has('g'));
}

TEST(ParseSwitches, DoubleDashEndsSwitchesAndLoneDashIsAnOperand) {
  auto p = Parse({"-r", "--", "-h"}, "rh");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->operands, (std::vector<std::string>{"-h"}));
  auto q = Parse({"-"}, "r");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->operands, (std::vector<std::string>{"-"}));
}

TEST(ParseSwitches, UnknownLetterIsGetoptsMessage) {
  auto p = Parse({"-rz", "a"}, "r");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "invalid option -- 'z'");
}

TEST(ParseGoal, DigitsWithOptionalDirection) {
  auto g = ParseGoal("3");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->goal, 3);
  EXPECT_EQ(g->mode, SetMode::kSet);
  EXPECT_EQ(ParseGoal("9+")->mode, SetMode::kIncrease);
  EXPECT_EQ(ParseGoal("1-")->mode, SetMode::kDecrease);
  for (const char* bad : {"0", "10", "", "a", "3*", "3+-", "+3"}) {
    EXPECT_FALSE(ParseGoal(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseGoal("x").status().message(), "wrong goal definition");
}

TEST(ParseTrashTime, SecondsUnitsAndDirection) {
  EXPECT_EQ(ParseTrashTime("3600")->seconds, 3600u);
  EXPECT_EQ(ParseTrashTime("1.5h")->seconds, 5400u);
  EXPECT_EQ(ParseTrashTime("2d")->seconds, 172800u);
  EXPECT_EQ(ParseTrashTime("1w")->seconds, 604800u);
  EXPECT_EQ(ParseTrashTime("10m")->seconds, 600u);
  EXPECT_EQ(ParseTrashTime("0")->seconds, 0u);
  auto up = ParseTrashTime("7d+");
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->seconds, 604800u);
  EXPECT_EQ(up->mode, SetMode::kIncrease);
  EXPECT_EQ(ParseTrashTime("60-")->mode, SetMode::kDecrease);
  EXPECT_EQ(ParseTrashTime("99999999999")->seconds, 4294967295u);  // saturates
  for (const char* bad : {"", "h", "-5", "5x", "5+-", "5 + "}) {
    EXPECT_FALSE(ParseTrashTime(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace elk::tools
