#include "master/chunks/placement.h"

#include <gtest/gtest.h>

#include <set>

namespace elk::master {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

class PlacementTest : public ::testing::Test {
 protected:
  ServerId Add(uint64_t used_gib, uint32_t load = 0) {
    const auto n = static_cast<uint32_t>(table_.all().size() + 1);
    ServerId id = *table_.Connect({0x0a000000u + n, 9422});
    ChunkServer& s = *table_.Find(id);
    s.used_bytes = used_gib * kGiB;
    s.total_bytes = 100 * kGiB;
    s.load = load;
    return id;
  }
  Result<std::vector<ServerId>> Choose(uint32_t count, std::vector<ServerId> exclude = {}) {
    return ChooseServers(table_, count, exclude, config_, rng_);
  }

  ServerTable table_;
  PlacementConfig config_;
  std::mt19937_64 rng_{42};
};

TEST_F(PlacementTest, PrefersEmptierServers) {
  const ServerId full = Add(80);
  const ServerId empty = Add(10);
  const ServerId half = Add(50);
  auto chosen = Choose(2);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, (std::vector<ServerId>{empty, half}));
  (void)full;
}

TEST_F(PlacementTest, NeverTwoCopiesOnOneServer) {
  for (int i = 0; i < 5; ++i)
    Add(10);
  auto chosen = Choose(5);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(std::set<ServerId>(chosen->begin(), chosen->end()).size(), 5u);
}

TEST_F(PlacementTest, ExcludesServersThatHoldTheChunk) {
  const ServerId a = Add(10);
  const ServerId b = Add(20);
  const ServerId c = Add(30);
  auto chosen = Choose(3, {a, b});
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, std::vector<ServerId>{c});
}

TEST_F(PlacementTest, SkipsFullOverloadedDisconnectedAndMarkedServers) {
  Add(100);  // full
  const ServerId busy = Add(10, config_.max_load + 1);
  const ServerId gone = Add(10);
  table_.Disconnect(gone, 5);
  const ServerId leaving = Add(10);
  table_.Find(leaving)->marked_for_removal = true;
  const ServerId ok = Add(60);
  auto chosen = Choose(3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen, std::vector<ServerId>{ok});
  (void)busy;
}

TEST_F(PlacementTest, FewerServersThanGoalGivesAsManyAsPossible) {
  Add(10);
  Add(10);
  auto chosen = Choose(3);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->size(), 2u);
}

TEST_F(PlacementTest, NoServerConnectedIsNotStartedAndFullServersAreNoRoom) {
  EXPECT_EQ(Choose(1).code(), Code::kNotStarted);
  Add(100);
  EXPECT_EQ(Choose(1).code(), Code::kNoChunkServers);
}

TEST_F(PlacementTest, LoadBreaksUsageTies) {
  const ServerId loaded = Add(10, 50);
  const ServerId idle = Add(10, 1);
  auto chosen = Choose(1);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->front(), idle);
  (void)loaded;
}

TEST_F(PlacementTest, EqualServersShareTheWorkAndTheSeedRepeatsTheChoice) {
  for (int i = 0; i < 4; ++i)
    Add(10);
  std::set<ServerId> firsts;
  std::vector<ServerId> run1;
  for (int i = 0; i < 40; ++i)
    run1.push_back(Choose(1)->front());
  firsts.insert(run1.begin(), run1.end());
  EXPECT_GT(firsts.size(), 1u);
  rng_.seed(42);
  std::vector<ServerId> run2;
  for (int i = 0; i < 40; ++i)
    run2.push_back(Choose(1)->front());
  EXPECT_EQ(run1, run2);
}

}  // namespace
}  // namespace elk::master
