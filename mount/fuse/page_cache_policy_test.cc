#include "mount/fuse/page_cache_policy.h"

#include <gtest/gtest.h>

namespace elk::mount {
namespace {

TEST(PageCachePolicy, AutoKeepsTheCacheOfAFileNobodyChanged) {
  PageCachePolicy p(CacheMode::kAuto);
  EXPECT_FALSE(p.KeepCache(7, 100, 4096));  // first open: nothing to keep
  EXPECT_TRUE(p.KeepCache(7, 100, 4096));   // unchanged since
  EXPECT_FALSE(p.KeepCache(7, 101, 4096));  // another client wrote: drop once
  EXPECT_TRUE(p.KeepCache(7, 101, 4096));
  EXPECT_FALSE(p.KeepCache(7, 101, 8192));  // the length changed
  EXPECT_FALSE(p.KeepCache(8, 101, 8192));  // files are told apart
  EXPECT_FALSE(p.direct_io());
}

TEST(PageCachePolicy, YesNoAndDirect) {
  PageCachePolicy yes(CacheMode::kYes), no(CacheMode::kNo), direct(CacheMode::kDirect);
  EXPECT_TRUE(yes.KeepCache(1, 1, 1));
  EXPECT_TRUE(yes.KeepCache(1, 2, 1));
  EXPECT_FALSE(no.KeepCache(1, 1, 1));
  EXPECT_FALSE(no.KeepCache(1, 1, 1));
  EXPECT_FALSE(direct.KeepCache(1, 1, 1));
  EXPECT_TRUE(direct.direct_io());
  EXPECT_FALSE(no.direct_io());
}

TEST(PageCachePolicy, MemoryIsBounded) {
  PageCachePolicy p(CacheMode::kAuto);
  for (uint32_t i = 0; i < PageCachePolicy::kMaxFiles; ++i)
    p.KeepCache(i, 1, 1);
  EXPECT_TRUE(p.KeepCache(5, 1, 1));
  EXPECT_FALSE(p.KeepCache(PageCachePolicy::kMaxFiles + 1, 1, 1));  // starts over
  EXPECT_FALSE(p.KeepCache(5, 1, 1));                               // forgotten: dropped once
}

}  // namespace
}  // namespace elk::mount
