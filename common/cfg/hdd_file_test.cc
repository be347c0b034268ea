#include "common/cfg/hdd_file.h"

#include <gtest/gtest.h>

#include <string>

namespace elk::cfg {
namespace {

TEST(HddFile, ParsesFoldersRemovalAndLimits) {
  auto entries = ParseHddFile(
      "# disks\n"
      "/mnt/hdd1\n"
      "*/mnt/hdd2/   # leaving\n"
      "\n"
      "/mnt/hdd3 100GiB\n"
      "/mnt/hdd4\t-10GiB\n"
      "/mnt/my disk\n"
      "* /mnt/hdd5\n",
      "hdd.cfg");
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  ASSERT_EQ(entries->size(), 6u);
  const auto& e = *entries;
  EXPECT_EQ(e[0].path, "/mnt/hdd1");
  EXPECT_FALSE(e[0].marked_for_removal);
  EXPECT_EQ(e[0].limit_kind, HddEntry::Limit::kNone);
  EXPECT_EQ(e[0].line, 2u);
  EXPECT_EQ(e[1].path, "/mnt/hdd2");
  EXPECT_TRUE(e[1].marked_for_removal);
  EXPECT_EQ(e[2].path, "/mnt/hdd3");
  EXPECT_EQ(e[2].limit_kind, HddEntry::Limit::kMaxUse);
  EXPECT_EQ(e[2].limit_bytes, 100ull << 30);
  EXPECT_EQ(e[3].limit_kind, HddEntry::Limit::kLeaveFree);
  EXPECT_EQ(e[3].limit_bytes, 10ull << 30);
  EXPECT_EQ(e[4].path, "/mnt/my disk");
  EXPECT_EQ(e[5].path, "/mnt/hdd5");
  EXPECT_TRUE(e[5].marked_for_removal);
}

TEST(HddFile, EmptyFileIsEmptyList) {
  auto entries = ParseHddFile("# nothing\n\n", "hdd.cfg");
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

TEST(HddFile, EveryBadLineIsWarnedWithFileAndLineAndSkipped) {
  testing::internal::CaptureStderr();
  auto entries = ParseHddFile(
      "relative/path\n"
      "/ok\n"
      "/mnt/a 10X\n"
      "/ok/\n"
      "<>/mnt/b\n"
      "/mnt/c 0\n"
      "/mnt/d\n",
      "/etc/mfs/mfshdd.cfg");
  std::string logged = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].path, "/ok");
  EXPECT_EQ((*entries)[1].path, "/mnt/d");
  for (const char* want : {
           "/etc/mfs/mfshdd.cfg:1: 'relative/path' is not an absolute path (line skipped)",
           "/etc/mfs/mfshdd.cfg:3: limit '10X' is not a size (unknown unit) (line skipped)",
           "/etc/mfs/mfshdd.cfg:4: /ok is already listed on line 2 (line skipped)",
           "/etc/mfs/mfshdd.cfg:5: both '<' and '>'",
           "/etc/mfs/mfshdd.cfg:6: limit '0' makes the disk useless (line skipped)",
       }) {
    EXPECT_NE(logged.find(want), std::string::npos) << want << "\n" << logged;
  }
}

TEST(HddFile, MooseFsPrefixesInAnyOrderWithAWarningForWhatIsNotDone) {
  testing::internal::CaptureStderr();
  auto entries = ParseHddFile(
      "</mnt/old 500GiB\n"
      ">/mnt/new\n"
      "~*/mnt/zfs -5GiB\n",
      "hdd.cfg");
  std::string logged = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  const auto& e = *entries;
  EXPECT_TRUE(e[0].move_out);
  EXPECT_EQ(e[0].path, "/mnt/old");
  EXPECT_EQ(e[0].limit_kind, HddEntry::Limit::kMaxUse);
  EXPECT_TRUE(e[1].move_in);
  EXPECT_TRUE(e[2].size_may_jump);
  EXPECT_TRUE(e[2].marked_for_removal);
  EXPECT_EQ(e[2].path, "/mnt/zfs");
  EXPECT_EQ(e[2].limit_kind, HddEntry::Limit::kLeaveFree);
  EXPECT_NE(logged.find("hdd.cfg:1: '<' /mnt/old: the disk takes no new chunks"), std::string::npos)
      << logged;
  EXPECT_NE(logged.find("hdd.cfg:2: '>' /mnt/new: ignored"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("hdd.cfg:3"), std::string::npos) << logged;  // '~' and '*' are done
}

TEST(HddFile, MooseFsSizeSpellings) {
  auto entries = ParseHddFile("/a 100GB\n/b 1.5TiB\n/c 200G\n/d -10GiB\n", "hdd.cfg");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 4u) << "a MooseFS size spelling was refused";
  EXPECT_EQ((*entries)[1].limit_bytes, 3ull << 39);
  EXPECT_EQ((*entries)[2].limit_bytes, 200ull << 30);
}

TEST(HddFile, LoadMissingFile) {
  EXPECT_EQ(LoadHddFile("/nonexistent/mfshdd.cfg").code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::cfg
