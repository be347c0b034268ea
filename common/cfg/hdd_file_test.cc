#include "common/cfg/hdd_file.h"

#include <gtest/gtest.h>

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

TEST(HddFile, EveryBadLineNamedWithReason) {
  auto entries = ParseHddFile(
      "relative/path\n"
      "/ok\n"
      "/mnt/a 10X\n"
      "/ok/\n"
      "</mnt/b\n"
      "/mnt/c 0\n",
      "/etc/mfs/mfshdd.cfg");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.code(), Code::kBadConfig);
  EXPECT_EQ(entries.status().message(),
            "/etc/mfs/mfshdd.cfg:1: 'relative/path' is not an absolute path\n"
            "/etc/mfs/mfshdd.cfg:3: limit '10X' is not a size (unknown unit)\n"
            "/etc/mfs/mfshdd.cfg:4: /ok is already listed on line 2\n"
            "/etc/mfs/mfshdd.cfg:5: prefix '<' is not supported\n"
            "/etc/mfs/mfshdd.cfg:6: limit '0' makes the disk useless");
}

TEST(HddFile, LoadMissingFile) {
  EXPECT_EQ(LoadHddFile("/nonexistent/mfshdd.cfg").code(), Code::kNoEnt);
}

}  // namespace
}  // namespace elk::cfg
