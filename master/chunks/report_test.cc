#include "master/chunks/report.h"

#include <gtest/gtest.h>

#include "master/chunks/test_cluster.h"

namespace elk::master {
namespace {

using testing::AddChunk;
using testing::AddServer;

TEST(Report, DescribeShowsEachCopyAsTheToolsPrintIt) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2), c = AddServer(reg, 3),
                 d = AddServer(reg, 4);
  AddChunk(reg, 5, 3, {a, b, c, d});
  ASSERT_TRUE(reg.ReportWriteFailure(5, b).ok());
  const ReportedChunk marked{5, 1, true};
  ASSERT_TRUE(reg.ServerReportsChunks(c, {&marked, 1}).ok());
  ASSERT_TRUE(reg.StartDeletion(5, d, 1000).ok());
  auto info = DescribeChunk(reg, 5, 1000);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->goal, 3);
  EXPECT_EQ(info->valid_copies, 2u);
  ASSERT_EQ(info->copies.size(), 4u);
  EXPECT_EQ(info->copies[0].view, CopyView::kValid);
  EXPECT_EQ(info->copies[0].location.address.ip, 0x7f000001u);
  EXPECT_EQ(info->copies[1].view, CopyView::kWrongVersion);
  EXPECT_EQ(info->copies[2].view, CopyView::kMarkedForRemoval);
  EXPECT_EQ(info->copies[3].view, CopyView::kBeingDeleted);
  EXPECT_FALSE(info->locked);
  EXPECT_EQ(DescribeChunk(reg, 6, 1000).code(), Code::kNoChunk);
}

TEST(Report, DescribeShowsTheWritersLockUntilItExpires) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1);
  AddChunk(reg, 5, 1, {a});
  ASSERT_TRUE(reg.PrepareWrite(5, 1, 3, 1000).ok());
  EXPECT_TRUE(DescribeChunk(reg, 5, 1000)->locked);
  EXPECT_EQ(DescribeChunk(reg, 5, 1000)->copies[0].view, CopyView::kBusy);
  EXPECT_FALSE(DescribeChunk(reg, 5, 1000 + reg.config().lock_timeout)->locked);
}

TEST(Report, CountByCopiesForAFile) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2);
  AddChunk(reg, 1, 2, {a, b});
  AddChunk(reg, 2, 2, {a});
  AddChunk(reg, 3, 2, {});
  const std::vector<ChunkId> file{1, 2, 3, 0, 2};
  const CopyHistogram h = CountByCopies(reg, file);
  EXPECT_EQ(h.by_copies[0], 2u);  // chunk 3 and the hole
  EXPECT_EQ(h.by_copies[1], 2u);
  EXPECT_EQ(h.by_copies[2], 1u);
}

TEST(Report, MatrixCountsGoalByValidCopies) {
  ChunkRegistry reg;
  const ServerId a = AddServer(reg, 1), b = AddServer(reg, 2), c = AddServer(reg, 3);
  AddChunk(reg, 1, 2, {});         // missing
  AddChunk(reg, 2, 3, {a});        // endangered, under goal
  AddChunk(reg, 3, 3, {a, b});     // under goal
  AddChunk(reg, 4, 2, {a, b});     // stable
  AddChunk(reg, 5, 1, {a, b, c});  // over goal
  AddChunk(reg, 6, 1, {a});
  ASSERT_TRUE(reg.RemoveRef(6, 1).ok());  // pending deletion
  const ReportedChunk marked{4, 1, true};
  ASSERT_TRUE(reg.ServerReportsChunks(b, {&marked, 1}).ok());

  const ChunkMatrix m = BuildMatrix(reg);
  EXPECT_EQ(m.missing, 1u);
  EXPECT_EQ(m.endangered, 1u);
  EXPECT_EQ(m.undergoal, 3u);
  EXPECT_EQ(m.stable, 1u);
  EXPECT_EQ(m.overgoal, 1u);
  EXPECT_EQ(m.pending_deletion, 1u);
  EXPECT_EQ(m.all[2][0], 1u);
  EXPECT_EQ(m.all[3][1], 1u);
  EXPECT_EQ(m.all[3][2], 1u);
  EXPECT_EQ(m.all[2][2], 1u);
  EXPECT_EQ(m.regular[2][1], 1u) << "the marked copy is not regular";
  EXPECT_EQ(m.all[1][3], 1u);
  EXPECT_EQ(m.all[0][1], 1u);
}

}  // namespace
}  // namespace elk::master
