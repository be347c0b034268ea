#include "master/locks/lock_table.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace elk::master::locks {
namespace {

constexpr LockType kSh = LockType::kShared;
constexpr LockType kEx = LockType::kExclusive;
constexpr LockType kUn = LockType::kUnlock;
constexpr uint64_t kEnd = elk::locks::kLockEnd;

Request Posix(Owner o, uint64_t start, uint64_t end, LockType t, uint32_t inode = 7) {
  return Request{inode, LockKind::kPosix, o, static_cast<uint32_t>(o.id), start, end, t};
}
Request Flock(Owner o, LockType t, uint32_t inode = 7) {
  return Request{inode, LockKind::kFlock, o, 0, 0, kEnd, t};
}

const Owner kA{1, 100}, kB{2, 200}, kC{3, 300};

class LockTableTest : public ::testing::Test {
 protected:
  Code Try(const Request& r, uint64_t wait = 0) {
    auto o = table_.Lock(r, wait, granted_);
    if (!o.ok()) return o.code();
    return *o == Outcome::kGranted ? Code::kOk : Code::kDelayed;
  }
  LockTable table_;
  Granted granted_;
};

TEST_F(LockTableTest, SharedLocksCoexistExclusiveConflicts) {
  EXPECT_EQ(Try(Posix(kA, 0, 99, kSh)), Code::kOk);
  EXPECT_EQ(Try(Posix(kB, 50, 149, kSh)), Code::kOk);
  EXPECT_EQ(Try(Posix(kC, 120, 130, kEx)), Code::kAgain);
  EXPECT_EQ(Try(Posix(kC, 150, 200, kEx)), Code::kOk);
}

TEST_F(LockTableTest, OwnLocksNeverConflictAndConvertInPlace) {
  EXPECT_EQ(Try(Posix(kA, 0, 99, kSh)), Code::kOk);
  EXPECT_EQ(Try(Posix(kA, 10, 19, kEx)), Code::kOk);
  auto held = table_.AllHeld();
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0].range, (LockRange{0, 9, kSh}));
  EXPECT_EQ(held[1].range, (LockRange{10, 19, kEx}));
  EXPECT_EQ(held[2].range, (LockRange{20, 99, kSh}));
}

TEST_F(LockTableTest, UnlockOfAMiddleRangeLetsOthersIn) {
  ASSERT_EQ(Try(Posix(kA, 0, 99, kEx)), Code::kOk);
  EXPECT_EQ(Try(Posix(kB, 40, 49, kEx)), Code::kAgain);
  ASSERT_EQ(Try(Posix(kA, 40, 49, kUn)), Code::kOk);
  EXPECT_EQ(Try(Posix(kB, 40, 49, kEx)), Code::kOk);
  EXPECT_EQ(Try(Posix(kB, 39, 49, kEx)), Code::kAgain);
}

TEST_F(LockTableTest, TestReportsTheConflictingHolder) {
  ASSERT_EQ(Try(Posix(kA, 100, 199, kSh)), Code::kOk);
  ASSERT_EQ(Try(Posix(kB, 300, kEnd, kEx)), Code::kOk);
  EXPECT_FALSE(table_.Test(Posix(kC, 0, 250, kSh)).has_value());
  auto c = table_.Test(Posix(kC, 0, 250, kEx));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->owner, kA);
  EXPECT_EQ(c->pid, 100u);
  EXPECT_EQ(c->range, (LockRange{100, 199, kSh}));
  c = table_.Test(Posix(kC, 150, kEnd, kSh));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->owner, kB);
  EXPECT_EQ(c->range, (LockRange{300, kEnd, kEx}));
  EXPECT_FALSE(table_.Test(Posix(kA, 100, 199, kEx)).has_value());  // its own
}

TEST_F(LockTableTest, FlockAndPosixAreSeparate) {
  ASSERT_EQ(Try(Flock(kA, kEx)), Code::kOk);
  EXPECT_EQ(Try(Posix(kB, 0, kEnd, kEx)), Code::kOk);
  EXPECT_EQ(Try(Flock(kB, kSh)), Code::kAgain);
}

TEST_F(LockTableTest, WaitersAreGrantedInOrderWhenTheHolderUnlocks) {
  ASSERT_EQ(Try(Flock(kA, kEx)), Code::kOk);
  EXPECT_EQ(Try(Flock(kB, kEx), 11), Code::kDelayed);
  EXPECT_EQ(Try(Flock(kC, kEx), 12), Code::kDelayed);
  EXPECT_EQ(table_.waiting(), 2u);
  ASSERT_EQ(Try(Flock(kA, kUn)), Code::kOk);
  EXPECT_EQ(granted_, Granted{11});
  granted_.clear();
  table_.ReleaseOwner(7, LockKind::kFlock, kB, granted_);
  EXPECT_EQ(granted_, Granted{12});
  EXPECT_EQ(table_.waiting(), 0u);
}

TEST_F(LockTableTest, SharedWaitersAreGrantedTogether) {
  ASSERT_EQ(Try(Posix(kA, 0, 9, kEx)), Code::kOk);
  EXPECT_EQ(Try(Posix(kB, 0, 9, kSh), 1), Code::kDelayed);
  EXPECT_EQ(Try(Posix(kC, 5, 5, kSh), 2), Code::kDelayed);
  ASSERT_EQ(Try(Posix(kA, 0, 9, kSh)), Code::kOk);  // a downgrade lets readers in
  EXPECT_EQ(granted_, (Granted{1, 2}));
}

TEST_F(LockTableTest, CancelledWaiterIsNeverGranted) {
  ASSERT_EQ(Try(Flock(kA, kEx)), Code::kOk);
  ASSERT_EQ(Try(Flock(kB, kEx), 5), Code::kDelayed);
  EXPECT_TRUE(table_.Cancel(5));
  EXPECT_FALSE(table_.Cancel(5));
  ASSERT_EQ(Try(Flock(kA, kUn)), Code::kOk);
  EXPECT_TRUE(granted_.empty());
  EXPECT_EQ(Try(Flock(kC, kEx)), Code::kOk);
}

TEST_F(LockTableTest, FlockConversionDropsTheOldLockFirst) {
  ASSERT_EQ(Try(Flock(kA, kSh)), Code::kOk);
  ASSERT_EQ(Try(Flock(kB, kSh)), Code::kOk);
  // A cannot upgrade while B shares; Linux has dropped A's shared lock by then.
  EXPECT_EQ(Try(Flock(kA, kEx)), Code::kAgain);
  EXPECT_EQ(table_.AllHeld().size(), 1u);
  EXPECT_EQ(Try(Flock(kC, kSh)), Code::kOk);
}

TEST_F(LockTableTest, PosixDeadlockIsRefused) {
  ASSERT_EQ(Try(Posix(kA, 0, 0, kEx)), Code::kOk);
  ASSERT_EQ(Try(Posix(kB, 1, 1, kEx)), Code::kOk);
  ASSERT_EQ(Try(Posix(kA, 1, 1, kEx), 1), Code::kDelayed);   // A waits for B
  EXPECT_EQ(Try(Posix(kB, 0, 0, kEx), 2), Code::kDeadlock);  // B would wait for A
  // Across files and through a third owner.
  ASSERT_EQ(Try(Posix(kC, 0, 0, kEx, 8)), Code::kOk);
  ASSERT_EQ(Try(Posix(kB, 0, 0, kEx, 8), 3), Code::kDelayed);  // B waits for C
  EXPECT_EQ(Try(Posix(kC, 0, 0, kEx), 4), Code::kDeadlock);    // C -> A -> B -> C
  EXPECT_EQ(table_.waiting(), 2u);
}

TEST_F(LockTableTest, DroppingASessionFreesItsLocksAndWaits) {
  ASSERT_EQ(Try(Posix(kA, 0, 99, kEx)), Code::kOk);
  ASSERT_EQ(Try(Flock(kA, kEx, 9)), Code::kOk);
  ASSERT_EQ(Try(Posix(kB, 0, 0, kSh), 21), Code::kDelayed);
  ASSERT_EQ(Try(Flock(kC, kEx, 9), 22), Code::kDelayed);
  ASSERT_EQ(Try(Flock(kB, kEx, 10)), Code::kOk);  // another file: nobody waits for it
  ASSERT_EQ(Try(Flock(kA, kEx, 11)), Code::kOk);
  ASSERT_EQ(Try(Flock(kB, kEx, 11), 23), Code::kDelayed);
  auto removed = table_.DropSession(kB.session, granted_);
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<uint64_t>{21, 23}));
  EXPECT_TRUE(granted_.empty());
  removed = table_.DropSession(kA.session, granted_);
  EXPECT_TRUE(removed.empty());
  EXPECT_EQ(granted_, Granted{22});
  EXPECT_EQ(table_.Sessions(), std::set<uint32_t>{kC.session});
}

protocol::HeldLock Claim(Owner o, uint64_t s, uint64_t e, LockType t, uint32_t inode = 7) {
  return {inode, o.id, LockKind::kPosix, t, s, e, 1};
}

TEST_F(LockTableTest, ReclaimOutsideGraceKeepsOnlyWhatWasHeld) {
  ASSERT_EQ(Try(Posix(kA, 0, 99, kEx)), Code::kOk);
  ASSERT_EQ(Try(Posix(kA, 0, 9, kEx, 8)), Code::kOk);  // granted, but its answer was lost
  auto lost = table_.Reclaim(
      kA.session, {Claim(kA, 0, 49, kEx), Claim(kA, 90, 120, kEx), Claim(kA, 60, 69, kSh)}, false,
      granted_);
  EXPECT_EQ(lost, (std::vector<uint32_t>{1, 2}));
  auto held = table_.AllHeld();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].range, (LockRange{0, 49, kEx}));
  EXPECT_EQ(Try(Posix(kB, 0, 9, kEx, 8)), Code::kOk);
}

TEST_F(LockTableTest, ReclaimInGraceGrantsWhatNoOtherOwnerHolds) {
  auto lost = table_.Reclaim(kA.session, {Claim(kA, 0, 49, kEx)}, true, granted_);
  EXPECT_TRUE(lost.empty());
  lost = table_.Reclaim(kB.session, {Claim(kB, 40, 59, kSh), Claim(kB, 50, 59, kSh, 8)}, true,
                        granted_);
  EXPECT_EQ(lost, (std::vector<uint32_t>{0}));
  EXPECT_EQ(Try(Posix(kC, 0, 0, kSh)), Code::kAgain);
  EXPECT_EQ(Try(Posix(kC, 50, 50, kEx, 8)), Code::kAgain);
}

}  // namespace
}  // namespace elk::master::locks
