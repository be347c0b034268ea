// File times to the nanosecond and beyond u32 seconds: set, kept by an image, and read
// from images of the formats before them.
#include <gtest/gtest.h>

#include "master/namespace/old_image.h"
#include "master/namespace/test_util.h"

namespace elk::master {
namespace {

constexpr FileTime kWithNs = 1577836800123456789;                      // 2020-01-01 .123456789
constexpr FileTime k1960 = FileTime{-315619200} * kNsPerSecond + 999;  // 1960-01-01
constexpr FileTime k2200 = FileTime{7258118400} * kNsPerSecond + 1;    // 2200-01-01
constexpr FileTime kJustBefore1970 = -1;

SetAttrRequest SetTimes(FileTime atime, FileTime mtime) {
  SetAttrRequest req;
  req.atime_how = TimeSet::kValue;
  req.atime = atime;
  req.mtime_how = TimeSet::kValue;
  req.mtime = mtime;
  return req;
}

TEST_F(NsTest, ExplicitTimesKeepNanosecondsAndAnyYear) {
  const InodeId f = File(kRootInode, "f");
  for (auto [atime, mtime] : {std::pair{kWithNs, k2200}, std::pair{k1960, kJustBefore1970},
                              std::pair{kFileTimeMin, kFileTimeMax}}) {
    auto r = ns.SetAttr(root, f, SetTimes(atime, mtime), now);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->attr.atime, atime);
    EXPECT_EQ(r->attr.mtime, mtime);
    EXPECT_EQ(Get(f).atime, atime);
    EXPECT_EQ(Get(f).mtime, mtime);
    EXPECT_EQ(Get(f).ctime, FileTimeOf(now)) << "ctime is the master's clock";
  }
}

TEST_F(NsTest, TheMastersOwnTimesAreWholeSeconds) {
  now = 4000000000;  // past i32 seconds (2096): u32 still holds it
  const InodeId f = File(kRootInode, "f");
  EXPECT_EQ(Get(f).atime, FileTimeOf(4000000000));
  EXPECT_EQ(Get(f).mtime, FileTimeOf(4000000000));
  EXPECT_EQ(Get(f).ctime, FileTimeOf(4000000000));
  EXPECT_EQ(Get(kRootInode).mtime, FileTimeOf(4000000000));
}

TEST_F(NsTest, AnImageKeepsEveryTimeExactly) {
  const InodeId a = File(kRootInode, "a");
  const InodeId b = File(kRootInode, "b");
  const InodeId c = File(kRootInode, "c");
  ASSERT_TRUE(ns.SetAttr(root, a, SetTimes(kWithNs, k2200), now).ok());
  ASSERT_TRUE(ns.SetAttr(root, b, SetTimes(k1960, kJustBefore1970), now).ok());
  ASSERT_TRUE(ns.SetAttr(root, c, SetTimes(kFileTimeMin, kFileTimeMax), now).ok());
  const std::string bytes = ns.SerializeNodes();
  MemoryChunkRefs refs2;
  Namespace copy(refs2, 0);
  ASSERT_TRUE(copy.LoadNodes(bytes).ok());
  EXPECT_EQ(copy.Dump(), ns.Dump());
  EXPECT_EQ(copy.GetAttr(a)->atime, kWithNs);
  EXPECT_EQ(copy.GetAttr(a)->mtime, k2200);
  EXPECT_EQ(copy.GetAttr(b)->atime, k1960);
  EXPECT_EQ(copy.GetAttr(b)->mtime, kJustBefore1970);
  EXPECT_EQ(copy.GetAttr(c)->atime, kFileTimeMin);
  EXPECT_EQ(copy.GetAttr(c)->mtime, kFileTimeMax);
  EXPECT_EQ(copy.SerializeNodes(), bytes);
  // The dump a person reads shows the fraction.
  EXPECT_NE(ns.Dump().find("a=1577836800.123456789 mt=7258118400.000000001"), std::string::npos)
      << ns.Dump();
}

TEST_F(NsTest, ImagesOfFormatsOneAndTwoStillLoadWithWholeSecondTimes) {
  const old_image::Times root_times{100, 200, 300};
  const old_image::Times file_times{4294967295u, 1577836800, 1700000000};
  for (uint64_t format : {uint64_t{1}, uint64_t{2}}) {
    SCOPED_TRACE(format);
    const std::string old = old_image::RootAndFile(format, root_times, file_times);
    Namespace loaded(refs, 0);
    ASSERT_TRUE(loaded.LoadNodes(old, format).ok()) << loaded.LoadNodes(old, format).ToString();
    const InodeId f = loaded.Lookup(root, kRootInode, "f")->inode;
    EXPECT_EQ(loaded.GetAttr(f)->atime, FileTimeOf(4294967295u));
    EXPECT_EQ(loaded.GetAttr(f)->mtime, FileTimeOf(1577836800));
    EXPECT_EQ(loaded.GetAttr(f)->ctime, FileTimeOf(1700000000));
    EXPECT_EQ(loaded.GetAttr(kRootInode)->mtime, FileTimeOf(200));
    // Saved again, it is a format-3 image that loads to the same namespace.
    Namespace again(refs, 0);
    ASSERT_TRUE(again.LoadNodes(loaded.SerializeNodes()).ok());
    EXPECT_EQ(again.Dump(), loaded.Dump());
    // Read as the newer format it does not parse: the format number decides the layout.
    EXPECT_FALSE(Namespace(refs, 0).LoadNodes(old, Namespace::kNodeFormat).ok());
  }
}

TEST_F(NsTest, AnImageRefusesATimeOutsideTheSpan) {
  const InodeId f = File(kRootInode, "f");
  ASSERT_TRUE(ns.SetAttr(root, f, SetTimes(0, kFileTimeMax), now).ok());
  const std::string bytes = ns.SerializeNodes();
  ASSERT_TRUE(Namespace(refs, 0).LoadNodes(bytes).ok());
  // The last representable nanosecond of 2262, then one past it: same varint length.
  auto varint = [](uint64_t v) {
    ByteWriter w;
    w.Var(v);
    return w.Take();
  };
  const std::string last = varint(SplitFileTime(kFileTimeMax).nsec);
  const std::string past = varint(SplitFileTime(kFileTimeMax).nsec + 1);
  ASSERT_EQ(last.size(), past.size());
  std::string bad = bytes;
  const size_t at = bad.find(last);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bad.find(last, at + 1), std::string::npos) << "the time's bytes must be unique";
  bad.replace(at, last.size(), past);
  EXPECT_FALSE(Namespace(refs, 0).LoadNodes(bad).ok());
}

}  // namespace
}  // namespace elk::master
