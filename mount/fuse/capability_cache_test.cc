#include "mount/fuse/capability_cache.h"

#include <gtest/gtest.h>

namespace elk::mount {
namespace {

using namespace std::chrono_literals;
using Clock = CapabilityCache::Clock;

TEST(CapabilityCacheTest, KeepsAnAbsentCapabilityForItsTime) {
  CapabilityCache c(1s);
  const Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(c.KnownAbsent(7, "security.capability", t0));  // never asked
  c.NoteAbsent(7, "security.capability", t0, c.Ask());
  EXPECT_TRUE(c.KnownAbsent(7, "security.capability", t0 + 999ms));
  EXPECT_FALSE(c.KnownAbsent(8, "security.capability", t0));       // inodes told apart
  EXPECT_FALSE(c.KnownAbsent(7, "security.capability", t0 + 1s));  // expired: ask again
  EXPECT_FALSE(c.KnownAbsent(7, "security.capability", t0));
}

TEST(CapabilityCacheTest, OnlyTheCapabilityIsKept) {
  CapabilityCache c(1s);
  const Clock::time_point t0 = Clock::now();
  c.NoteAbsent(7, "user.comment", t0, c.Ask());
  EXPECT_FALSE(c.KnownAbsent(7, "user.comment", t0));
  c.NoteAbsent(7, "security.capability", t0, c.Ask());
  EXPECT_FALSE(c.KnownAbsent(7, "user.comment", t0));
}

TEST(CapabilityCacheTest, ThisMountsChangeForgets) {
  CapabilityCache c(1s);
  const Clock::time_point t0 = Clock::now();
  c.NoteAbsent(7, "security.capability", t0, c.Ask());
  c.Forget(7);
  EXPECT_FALSE(c.KnownAbsent(7, "security.capability", t0));
}

TEST(CapabilityCacheTest, AnAnswerAskedBeforeAChangeIsNotKept) {
  CapabilityCache c(1s);
  const Clock::time_point t0 = Clock::now();
  const uint64_t ticket = c.Ask();
  c.Forget(7);  // this mount's setxattr completes while the question is out
  c.NoteAbsent(7, "security.capability", t0, ticket);
  EXPECT_FALSE(c.KnownAbsent(7, "security.capability", t0));
}

TEST(CapabilityCacheTest, AZeroAttributeTimeoutKeepsNothing) {
  CapabilityCache c(0s);
  const Clock::time_point t0 = Clock::now();
  c.NoteAbsent(7, "security.capability", t0, c.Ask());
  EXPECT_FALSE(c.KnownAbsent(7, "security.capability", t0));
}

TEST(CapabilityCacheTest, StaysBounded) {
  CapabilityCache c(10s);
  const Clock::time_point t0 = Clock::now();
  for (uint32_t i = 0; i < CapabilityCache::kMaxInodes + 10; ++i)
    c.NoteAbsent(i, "security.capability", t0, c.Ask());
  // Started over at the bound: the newest are kept, the oldest are asked for again.
  EXPECT_TRUE(c.KnownAbsent(CapabilityCache::kMaxInodes + 9, "security.capability", t0));
  EXPECT_FALSE(c.KnownAbsent(0, "security.capability", t0));
}

}  // namespace
}  // namespace elk::mount
