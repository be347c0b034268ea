#include "common/file_time.h"

#include <gtest/gtest.h>

namespace elk {
namespace {

TEST(FileTimeTest, JoinsAndSplitsAroundTheEpoch) {
  EXPECT_EQ(FileTimeOf(0), 0);
  EXPECT_EQ(FileTimeOf(1577836800, 123456789), 1577836800123456789);
  EXPECT_EQ(FileTimeOf(-1, 750000000), -250000000);
  SplitTime s = SplitFileTime(-250000000);
  EXPECT_EQ(s.sec, -1);
  EXPECT_EQ(s.nsec, 750000000);
  s = SplitFileTime(FileTimeOf(-315619200, 1));  // 1960-01-01 00:00:00.000000001
  EXPECT_EQ(s.sec, -315619200);
  EXPECT_EQ(s.nsec, 1);
  s = SplitFileTime(FileTimeOf(7258118400, 999999999));  // 2200-01-01, past u32 seconds
  EXPECT_EQ(s.sec, 7258118400);
  EXPECT_EQ(s.nsec, 999999999);
}

TEST(FileTimeTest, SaturatesOutsideItsSpan) {
  EXPECT_EQ(FileTimeOf(int64_t{1} << 40), kFileTimeMax);
  EXPECT_EQ(FileTimeOf(-(int64_t{1} << 40)), kFileTimeMin);
  EXPECT_EQ(FileTimeOf(9223372036, 999999999), kFileTimeMax);  // the sum overflows
  EXPECT_EQ(FileTimeOf(-9223372036, -999999999), kFileTimeMin);
  SplitTime s = SplitFileTime(kFileTimeMin);
  EXPECT_EQ(s.sec, -9223372037);
  EXPECT_EQ(s.nsec, 145224192);
  EXPECT_EQ(FileTimeOf(s.sec, s.nsec), kFileTimeMin);
}

TEST(FileTimeTest, TextRoundTripsEveryKindOfTime) {
  for (FileTime t :
       {FileTime{0}, FileTime{1700000000} * kNsPerSecond, FileTime{1577836800123456789},
        FileTime{-250000000}, FileTime{-315619200} * kNsPerSecond, FileTime{1}, FileTime{-1},
        kFileTimeMin, kFileTimeMax}) {
    FileTime back = 42;
    ASSERT_TRUE(ParseFileTimeText(FileTimeText(t), &back)) << FileTimeText(t);
    EXPECT_EQ(back, t) << FileTimeText(t);
  }
  EXPECT_EQ(FileTimeText(FileTime{1700000000} * kNsPerSecond), "1700000000");
  EXPECT_EQ(FileTimeText(1577836800123456789), "1577836800.123456789");
  EXPECT_EQ(FileTimeText(-250000000), "-0.250000000");
  EXPECT_EQ(FileTimeText(5), "0.000000005");
}

TEST(FileTimeTest, TextRefusesWhatItNeverWrites) {
  FileTime t = 0;
  ASSERT_TRUE(ParseFileTimeText("4294967295", &t));  // the old layouts' largest time
  EXPECT_EQ(t, FileTime{4294967295} * kNsPerSecond);
  for (const char* bad : {"", "-", ".5", "1.5", "1.1234567890", "1.12345678x", "x", "1e9",
                          "9223372037", "-9223372037", "9223372036.854775808", "+1", "1."}) {
    EXPECT_FALSE(ParseFileTimeText(bad, &t)) << bad;
  }
  EXPECT_TRUE(ParseFileTimeText("-9223372036.854775808", &t));
  EXPECT_EQ(t, kFileTimeMin);
}

}  // namespace
}  // namespace elk
