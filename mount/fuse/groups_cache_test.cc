#include "mount/fuse/groups_cache.h"

#include <gtest/gtest.h>

namespace elk::mount {
namespace {

using namespace std::chrono_literals;

TEST(GroupsCache, FetchesOncePerProcessWithinTheTimeToLive) {
  GroupsCache cache(1000ms);
  int fetches = 0;
  auto fetch = [&] {
    ++fetches;
    return std::vector<uint32_t>{10, 20};
  };
  const auto t0 = GroupsCache::Clock::now();
  EXPECT_EQ(cache.Get(100, 1000, 1000, fetch, t0), (std::vector<uint32_t>{10, 20}));
  EXPECT_EQ(cache.Get(100, 1000, 1000, fetch, t0 + 999ms), (std::vector<uint32_t>{10, 20}));
  EXPECT_EQ(fetches, 1);
  cache.Get(100, 1000, 1000, fetch, t0 + 1000ms);
  EXPECT_EQ(fetches, 2);
}

TEST(GroupsCache, AnotherIdentityOfTheSameProcessIsFetchedAgain) {
  GroupsCache cache;
  int fetches = 0;
  auto groups_of = [&](std::vector<uint32_t> g) {
    return [&fetches, g] {
      ++fetches;
      return g;
    };
  };
  const auto t0 = GroupsCache::Clock::now();
  EXPECT_EQ(cache.Get(7, 0, 0, groups_of({0}), t0), std::vector<uint32_t>{0});
  // The same pid after setuid/setgid: its groups are looked up, not taken from root's.
  EXPECT_EQ(cache.Get(7, 1000, 100, groups_of({100, 27}), t0), (std::vector<uint32_t>{100, 27}));
  EXPECT_EQ(cache.Get(8, 0, 0, groups_of({5}), t0), std::vector<uint32_t>{5});
  EXPECT_EQ(fetches, 3);
}

TEST(GroupsCache, StaysWithinItsBound) {
  GroupsCache cache(1000ms, 4);
  int fetches = 0;
  auto fetch = [&] {
    ++fetches;
    return std::vector<uint32_t>{1};
  };
  const auto t0 = GroupsCache::Clock::now();
  for (pid_t pid = 1; pid <= 5; ++pid)
    cache.Get(pid, 0, 0, fetch, t0);
  EXPECT_EQ(fetches, 5);
  cache.Get(5, 0, 0, fetch, t0);  // kept after the clear that made room for it
  EXPECT_EQ(fetches, 5);
  cache.Get(1, 0, 0, fetch, t0);  // dropped by that clear
  EXPECT_EQ(fetches, 6);
}

}  // namespace
}  // namespace elk::mount
