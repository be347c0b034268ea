#include "common/log/progress.h"

#include <gtest/gtest.h>

namespace elk::log {
namespace {

TEST(Progress, SaysEachTenthOnceAndStaysQuietForSmallWork) {
  Progress p("loading", 1000, "nodes", 100);
  EXPECT_EQ(p.Line(0), "loading: 0% (0 of 1000 nodes)");
  EXPECT_EQ(p.Line(400), "loading: 40% (400 of 1000 nodes)");
  EXPECT_EQ(p.Line(1000), "loading: 100% (1000 of 1000 nodes)");
  EXPECT_EQ(Progress("x", 50'000'000, "bytes", 1).Line(25'000'000),
            "x: 50% (25.0 M of 50.0 M bytes)");
  for (uint64_t i = 0; i <= 1000; ++i)
    p.Update(i);  // logs 10%..90%, no throw
  p.Done();
  Progress quiet("small", 10, "nodes", 100);
  for (uint64_t i = 0; i <= 10; ++i)
    quiet.Update(i);
  quiet.Done();
}

}  // namespace
}  // namespace elk::log
