// Every logged operation replays to the same state: a random workload of all of them on a
// live Metadata, then the changelogs alone (no image) through mfsmetarestore's code path.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/changelog/reader.h"
#include "master/meta/restore.h"
#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

std::set<std::string> LoggedOps(const std::vector<std::string>& files) {
  std::set<std::string> ops;
  for (const auto& f : files) {
    auto c = changelog::ReadFile(f);
    EXPECT_TRUE(c.ok());
    for (const auto& r : c->records)
      ops.insert(changelog::BodyReader::Parse(r.body)->op());
  }
  return ops;
}

TEST(ReplayTest, EveryOperationReplaysToTheSameState) {
  const std::string dir = TempDir("replay");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto md = Metadata::Open(o, 1000);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ConnectServers((*md)->chunks(), 1000);
  Workload w(11, /*days_pass=*/true);
  for (int i = 0; i < 4000; ++i) {
    Op op = w.Next((*md)->ns());
    (void)RunLive(**md, op);
    if (i == 2000) {
      ASSERT_TRUE((*md)->SaveImage(w.now()).ok());  // rotates the changelog
    }
  }
  ASSERT_TRUE((*md)->Commit().ok());
  EXPECT_EQ(RegistryChunks((*md)->chunks()),
            ExpectedChunks((*md)->ns(), (*md)->chunks().next_chunk_id()));

  const auto files = changelog::ListFiles(dir, "changelog");
  std::set<std::string> ops = LoggedOps(files);
  for (const char* op :
       {"INIT",       "CREATE", "MKDIR",    "SYMLINK",     "LINK",    "SETATTR",      "UNLINK",
        "RMDIR",      "RENAME", "SETXATTR", "REMOVEXATTR", "SETGOAL", "SETTRASHTIME", "SNAPNODES",
        "APPEND",     "UNDEL",  "PURGE",    "OPEN",        "CLOSE",   "CHUNKADD",     "DUPLICATE",
        "INCVERSION", "LENGTH", "PUNCH",    "SETPATH"}) {
    EXPECT_EQ(ops.count(op), 1u) << op << " never logged";
  }

  // From the changelogs alone, as mfsmetarestore -o OUT changelog...
  RestoreOptions ro{"", files, dir + "/restored.mfs"};
  auto report = RestoreMetadata(ro, 5);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->version, (*md)->version());
  EXPECT_EQ(report->applied, (*md)->version());
  auto text = DumpImage(dir + "/restored.mfs");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, fmt::format("# version {}\n{}{}", (*md)->version(), (*md)->ns().Dump(),
                               (*md)->DumpChunks()));

  // From the image saved half-way plus the newer records, as a restart does.
  (*md).reset();
  o.auto_recover = true;
  auto again = Metadata::Open(o, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->version(), report->version);
  EXPECT_EQ(fmt::format("# version {}\n{}{}", (*again)->version(), (*again)->ns().Dump(),
                        (*again)->DumpChunks()),
            *text);
  std::filesystem::remove_all(dir);
}

TEST(ReplayTest, DivergenceIsRefused) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  changelog::Record r{1, "5|MKDIR(1,\"a\",493,18,0,0,\"\"):7"};  // mkdir gets inode 2, not 7
  Status s = (*md)->Replay(r);
  EXPECT_EQ(s.code(), Code::kCorruption);
  EXPECT_NE(s.message().find("replay diverged at version 1"), std::string::npos) << s.message();
  EXPECT_EQ((*md)->Replay({1, "5|NOSUCHOP(1)"}).code(), Code::kCorruption);
  EXPECT_EQ((*md)->Replay({1, "5|MKDIR(1,\"a\")"}).code(), Code::kCorruption);
  EXPECT_EQ((*md)->Replay({3, "5|MKDIR(1,\"a\",493,18,0,0,\"\"):2"}).code(), Code::kCorruption);
  auto fresh = Metadata::FromImage(nullptr);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE((*fresh)->Replay({1, "5|MKDIR(1,\"a\",493,18,0,0,\"\"):2"}).ok());
}

// A truncate through a descriptor opened for writing is logged with its flag (bit 16 of
// SETATTR's `present`), so replay allows what the live call allowed: here on a mode-0 file.
TEST(ReplayTest, SetattrByADescriptorOpenedForWritingReplays) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  ASSERT_TRUE((*md)->Replay({1, "5|CREATE(1,\"f\",1,0,0,0,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*md)->Replay({2, "5|SETATTR(2,2,0,1000,0,0,0,0,0,0,0,0,\"\")"}).ok());
  EXPECT_EQ((*md)->Replay({3, "6|SETATTR(2,8,0,0,0,0,0,0,0,5,1000,100,\"\")"}).code(),
            Code::kCorruption)
      << "by name, mode 0 refuses the truncate";
  auto again = Metadata::FromImage(nullptr);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Replay({1, "5|CREATE(1,\"f\",1,0,0,0,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*again)->Replay({2, "5|SETATTR(2,2,0,1000,0,0,0,0,0,0,0,0,\"\")"}).ok());
  Status s = (*again)->Replay({3, "6|SETATTR(2,24,0,0,0,0,0,0,0,5,1000,100,\"\")"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ((*again)->ns().GetAttr(2)->length, 5u);
}

// SETPATH (the meta mount's write to a trash item) replays: undelete then restores there.
TEST(ReplayTest, ARestorePathReplays) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  ASSERT_TRUE((*md)->Replay({1, "5|CREATE(1,\"f\",1,420,0,0,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*md)->Replay({2, "5|UNLINK(1,\"f\",0,0,\"\")"}).ok());
  ASSERT_TRUE((*md)->Replay({3, "6|SETPATH(2,\"/a%20b/g\")"}).ok());
  EXPECT_EQ((*md)->ns().GetDetached(2, true)->path, "/a b/g");
  ASSERT_TRUE((*md)->Replay({4, "7|UNDEL(2)"}).ok());
  auto dir = (*md)->ns().Lookup(Cred{}, kRootInode, "a b");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ((*md)->ns().Lookup(Cred{}, dir->inode, "g")->inode, 2u);
  // A path the master would have refused is divergence.
  auto bad = Metadata::FromImage(nullptr);
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE((*bad)->Replay({1, "5|CREATE(1,\"f\",1,420,0,0,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*bad)->Replay({2, "5|UNLINK(1,\"f\",0,0,\"\")"}).ok());
  EXPECT_EQ((*bad)->Replay({3, "6|SETPATH(2,\"a//g\")"}).code(), Code::kCorruption);
}

// OPEN logs the open's mode (1 read, 2 write); records of masters that kept none replay
// as read and write, what those masters allowed every open.
TEST(ReplayTest, OpensReplayWithTheirModes) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  ASSERT_TRUE((*md)->Replay({1, "5|CREATE(1,\"f\",1,420,0,0,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*md)->Replay({2, "5|OPEN(2,7,1)"}).ok());
  ASSERT_TRUE((*md)->Replay({3, "5|OPEN(2,8)"}).ok());
  EXPECT_EQ((*md)->ns().OpenModeOf(2, 7), kOpenedRead);
  EXPECT_EQ((*md)->ns().OpenModeOf(2, 8), kOpenedRead | kOpenedWrite);
  ASSERT_TRUE((*md)->Replay({4, "5|OPEN(2,7,2)"}).ok());
  EXPECT_EQ((*md)->ns().OpenModeOf(2, 7), kOpenedRead | kOpenedWrite);
  ASSERT_TRUE((*md)->Replay({5, "5|CLOSE(2,7)"}).ok());
  ASSERT_TRUE((*md)->Replay({6, "5|CLOSE(2,7)"}).ok());
  EXPECT_EQ((*md)->ns().OpenModeOf(2, 7), 0);
  EXPECT_EQ((*md)->Replay({7, "5|OPEN(2,7,4)"}).code(), Code::kCorruption);
}

// A session's account of its opens trims the master's (never raises them); a reserved file
// the account lacks is freed. The live call logs, as OPENS records, only the opens that
// changed, with their new counts; replay sets exactly those, and a restart reaches the same
// state.
TEST(ReplayTest, AnAccountOfOpensTrimsAndReplays) {
  auto md = Metadata::FromImage(nullptr);
  ASSERT_TRUE(md.ok());
  ASSERT_TRUE((*md)->Replay({1, "5|CREATE(1,\"f\",1,420,0,0,0,0,\"\"):2"}).ok());
  ASSERT_TRUE((*md)->Replay({2, "5|OPEN(2,7,3)"}).ok());
  ASSERT_TRUE((*md)->Replay({3, "5|OPEN(2,7,1)"}).ok());
  ASSERT_TRUE((*md)->Replay({4, "5|OPENS(7,\"2:1:1\")"}).ok());
  ASSERT_EQ((*md)->ns().OpensOf(7).size(), 1u);
  EXPECT_EQ((*md)->ns().OpensOf(7)[0].second, 1u);
  EXPECT_EQ((*md)->ns().OpenModeOf(2, 7), kOpenedRead);
  EXPECT_EQ((*md)->Replay({5, "5|OPENS(7,\"2:5\")"}).code(), Code::kCorruption);
  EXPECT_EQ((*md)->Replay({5, "5|OPENS(7,\"2:5:4\")"}).code(), Code::kCorruption);

  const std::string dir = TempDir("opens");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto live = Metadata::Open(o, 1000);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  Metadata& m = **live;
  auto a = m.Create(Cred{}, kRootInode, "a", NodeType::kFile, 0644, 0, 0, 1000);
  auto b = m.Create(Cred{}, kRootInode, "b", NodeType::kFile, 0644, 0, 0, 1000);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(m.SetTrashTime(Cred{}, b->inode, 0, SetMode::kSet, false, 1000).ok());
  m.Open(a->inode, 3, kOpenedAny, 1000);
  m.Open(a->inode, 3, kOpenedRead, 1000);
  m.Open(b->inode, 3, kOpenedRead, 1000);
  m.Open(b->inode, 4, kOpenedRead, 1000);
  ASSERT_TRUE(m.Unlink(Cred{}, kRootInode, "b", 1001).ok());
  EXPECT_EQ(m.ns().ListReserved().size(), 1u);
  const uint64_t before = m.version();
  const SessionOpen same[] = {{a->inode, 2, kOpenedAny}, {b->inode, 1, kOpenedRead}};
  m.TrimOpens(3, same, 1002);
  EXPECT_EQ(m.version(), before) << "an account that changes nothing is not logged";
  const SessionOpen fewer[] = {{a->inode, 1, kOpenedAny}};
  m.TrimOpens(3, fewer, 1002);
  EXPECT_EQ(m.version(), before + 1);
  EXPECT_EQ(m.ns().ListReserved().size(), 1u);  // session 4 still holds b
  m.TrimOpens(4, {}, 1003);
  EXPECT_EQ(m.ns().ListReserved().size(), 0u);
  EXPECT_EQ(m.ns().OpenModeOf(a->inode, 3), kOpenedAny);
  ASSERT_TRUE(m.Commit().ok());
  const std::string dump = fmt::format("{}{}", m.ns().Dump(), m.DumpChunks());
  (*live).reset();  // a crash: no image, the changelog replays
  o.auto_recover = true;
  auto again = Metadata::Open(o, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(fmt::format("{}{}", (*again)->ns().Dump(), (*again)->DumpChunks()), dump);
  EXPECT_EQ((*again)->ns().OpensOf(3).size(), 1u);
  EXPECT_TRUE((*again)->ns().OpensOf(4).empty());
  std::filesystem::remove_all(dir);
}

// However many opens an account closes, each OPENS record names at most 16,384 files, so a
// record stays far under a changelog line's limit; the records replay to the live state.
TEST(ReplayTest, AnAccountClosingManyOpensIsLoggedInBoundedRecords) {
  const std::string dir = TempDir("opens_many");
  MetadataOptions o;
  o.data_path = dir;
  o.sync = changelog::SyncPolicy::kNever;
  auto live = Metadata::Open(o, 1000);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  Metadata& m = **live;
  constexpr int kFiles = 40000;
  for (int i = 0; i < kFiles; ++i) {
    auto f =
        m.Create(Cred{}, kRootInode, "f" + std::to_string(i), NodeType::kFile, 0644, 0, 0, 1000);
    ASSERT_TRUE(f.ok());
    m.Open(f->inode, 9, kOpenedRead, 1000);
  }
  const uint64_t before = m.version();
  m.TrimOpens(9, {}, 1001);
  EXPECT_EQ(m.version(), before + 3) << "40,000 closes in records of at most 16,384";
  EXPECT_TRUE(m.ns().OpensOf(9).empty());
  ASSERT_TRUE(m.Commit().ok());
  const std::string dump = fmt::format("{}{}", m.ns().Dump(), m.DumpChunks());
  (*live).reset();
  o.auto_recover = true;
  auto again = Metadata::Open(o, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(fmt::format("{}{}", (*again)->ns().Dump(), (*again)->DumpChunks()), dump);
  EXPECT_TRUE((*again)->ns().OpensOf(9).empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace elk::master
