// Times to the nanosecond and beyond u32 seconds go through the changelog: the SETATTR
// record of today's layout replays exactly, and records written by the u32-second layout
// still replay.

#include <gtest/gtest.h>

#include "common/changelog/reader.h"
#include "master/meta/restore.h"
#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

constexpr FileTime kWithNs = 1577836800123456789;                    // 2020-01-01 .123456789
constexpr FileTime k1960 = FileTime{-315619200} * kNsPerSecond + 5;  // 1960-01-01
constexpr FileTime k2200 = FileTime{7258118400} * kNsPerSecond;      // 2200-01-01

SetAttrRequest SetTimes(FileTime atime, FileTime mtime) {
  SetAttrRequest req;
  req.atime_how = TimeSet::kValue;
  req.atime = atime;
  req.mtime_how = TimeSet::kValue;
  req.mtime = mtime;
  return req;
}

TEST(TimesReplayTest, NanosecondAndFarTimesReplayFromTheChangelog) {
  const std::string dir = TempDir("times");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto md = Metadata::Open(o, 1000);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  auto a = (*md)->Create({}, kRootInode, "a", NodeType::kFile, 0644, 0, 0, 1001);
  auto b = (*md)->Create({}, kRootInode, "b", NodeType::kFile, 0644, 0, 0, 1002);
  auto dev = (*md)->Create({}, kRootInode, "dev", NodeType::kCharDev, 0644, 0, 0xffffffffu, 1003);
  ASSERT_TRUE(a.ok() && b.ok() && dev.ok());
  ASSERT_TRUE((*md)->SetAttr({}, a->inode, SetTimes(kWithNs, k2200), 1004).ok());
  ASSERT_TRUE((*md)->SetAttr({}, b->inode, SetTimes(k1960, -1), 1005).ok());
  ASSERT_TRUE((*md)->Commit().ok());
  const std::string want = (*md)->ns().Dump();

  // The records say the times as a person reads them.
  const auto files = changelog::ListFiles(dir, "changelog");
  std::string bodies;
  for (const auto& f : files) {
    auto c = changelog::ReadFile(f);
    ASSERT_TRUE(c.ok());
    for (const auto& r : c->records)
      bodies += r.body + "\n";
  }
  EXPECT_NE(bodies.find("SETATTR(2,0,0,0,0,2,1577836800.123456789,2,7258118400,0,"),
            std::string::npos)
      << bodies;
  EXPECT_NE(bodies.find("SETATTR(3,0,0,0,0,2,-315619199.999999995,2,-0.000000001,0,"),
            std::string::npos)
      << bodies;

  // A restart without an image replays them.
  (*md).reset();
  o.auto_recover = true;
  auto again = Metadata::Open(o, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->ns().Dump(), want);
  EXPECT_EQ((*again)->ns().GetAttr(a->inode)->atime, kWithNs);
  EXPECT_EQ((*again)->ns().GetAttr(a->inode)->mtime, k2200);
  EXPECT_EQ((*again)->ns().GetAttr(b->inode)->atime, k1960);
  EXPECT_EQ((*again)->ns().GetAttr(b->inode)->mtime, -1);
  EXPECT_EQ((*again)->ns().GetAttr(dev->inode)->rdev, 0xffffffffu);
  // And the image it saves at a clean stop keeps them too.
  ASSERT_TRUE((*again)->Stop(2001).ok());
  (*again).reset();
  auto third = Metadata::Open(o, 3000);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ((*third)->ns().Dump(), want);
  (*third).reset();
  std::filesystem::remove_all(dir);
}

TEST(TimesReplayTest, RecordsOfTheSecondsLayoutStillReplay) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  // As a master before 64-bit times logged them: u32 seconds, the same fields.
  const std::vector<std::string> old = {
      "5|CREATE(1,\"f\",1,420,18,0,0,0,\"\"):2",
      "6|SETATTR(2,0,0,0,0,2,4294967295,2,1577836800,0,0,0,\"\")",
      "7|SETATTR(2,1,384,0,0,0,0,1,0,0,0,0,\"\")",
  };
  uint64_t version = 0;
  for (const std::string& body : old) {
    Status s = (*md)->Replay({++version, body});
    ASSERT_TRUE(s.ok()) << body << ": " << s.ToString();
  }
  auto f = (*md)->ns().GetAttr(2);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->atime, FileTimeOf(4294967295u));
  EXPECT_EQ(f->mtime, FileTimeOf(7)) << "kNow: the record's time";
  EXPECT_EQ(f->mode, 0600);
  EXPECT_EQ(f->ctime, FileTimeOf(7));
  // A time that is neither form is refused, not misread.
  EXPECT_EQ((*md)->Replay({++version, "8|SETATTR(2,0,0,0,0,2,1.5,0,0,0,0,0,\"\")"}).code(),
            Code::kCorruption);
}

}  // namespace
}  // namespace elk::master
