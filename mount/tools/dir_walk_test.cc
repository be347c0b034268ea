// mfsdirinfo's own walk (for a master without CLTOMA_GETDIRSTATS): a chain far deeper than
// any recursion limit, READDIR attributes only, and MooseFS's size rule.

#include "mount/tools/dir_walk.h"

#include <gtest/gtest.h>

#include <map>

namespace elk::tools {
namespace {

using protocol::Attr;
using protocol::NodeType;

Attr Dir(uint32_t inode) {
  Attr a;
  a.inode = inode;
  a.type = NodeType::kDirectory;
  a.goal = 2;
  return a;
}

Attr File(uint32_t inode, uint64_t length, uint8_t goal) {
  Attr a;
  a.inode = inode;
  a.length = length;
  a.goal = goal;
  return a;
}

TEST(DirWalkTest, CountsEveryLevelOfA100000DeepChain) {
  constexpr uint32_t kDepth = 100000;
  int listed = 0;
  auto list = [&](uint32_t dir) -> Result<std::vector<Attr>> {
    ++listed;
    std::vector<Attr> children;
    if (dir < kDepth) children.push_back(Dir(dir + 1));
    if (dir == kDepth) children.push_back(File(kDepth + 1, 6, 3));  // at the bottom
    return children;
  };
  auto s = WalkDirStats(Dir(1), list);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->inodes, kDepth + 1);
  EXPECT_EQ(s->dirs, kDepth);
  EXPECT_EQ(s->files, 1u);
  EXPECT_EQ(s->chunks, 1u);
  EXPECT_EQ(s->length, 6u);
  EXPECT_EQ(s->size, 65536u + 8192);
  EXPECT_EQ(s->realsize, 3 * (65536u + 8192));
  EXPECT_EQ(listed, static_cast<int>(kDepth));  // one READDIR per directory, nothing else
}

TEST(DirWalkTest, MatchesMooseFsFiguresAndCountsSymlinksAsInodesOnly) {
  std::map<uint32_t, std::vector<Attr>> tree;
  tree[1] = {Dir(2), File(3, 70000000, 2)};
  Attr link = File(6, 12, 1);
  link.type = NodeType::kSymlink;
  tree[2] = {File(4, 150000000, 2), Dir(5), link};
  tree[5] = {File(7, 6, 2)};
  auto s = WalkDirStats(Dir(1), [&](uint32_t d) -> Result<std::vector<Attr>> { return tree[d]; });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->inodes, 7u);
  EXPECT_EQ(s->dirs, 3u);
  EXPECT_EQ(s->files, 3u);
  EXPECT_EQ(s->chunks, 6u);
  EXPECT_EQ(s->length, 220000006u);
  EXPECT_EQ(s->size, 220184576u);  // as MooseFS 3 printed for these three files
  EXPECT_EQ(s->realsize, 440369152u);
}

TEST(DirWalkTest, AFileIsItsOwnTreeAndAListingErrorStopsTheWalk) {
  int listed = 0;
  auto s = WalkDirStats(File(9, 0, 2), [&](uint32_t) -> Result<std::vector<Attr>> {
    ++listed;
    return std::vector<Attr>{};
  });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->inodes, 1u);
  EXPECT_EQ(s->files, 1u);
  EXPECT_EQ(s->chunks, 0u);
  EXPECT_EQ(s->size, 0u);
  EXPECT_EQ(listed, 0);
  auto failed = WalkDirStats(
      Dir(1), [](uint32_t) -> Result<std::vector<Attr>> { return Status(Code::kPerm); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kPerm);
}

}  // namespace
}  // namespace elk::tools
