// A snapshot in slices (Metadata::SnapshotSome), with other clients' mutations between the
// slices: the changelog's SNAPNODES records replay to exactly the live state, chunk
// references stay right, records stay bounded, a copy moved into the source is not copied
// again, and a node made unreadable mid-way ends the snapshot with kAccess.

#include <gtest/gtest.h>

#include <set>

#include "common/changelog/reader.h"
#include "master/meta/restore.h"
#include "master/meta/test_workload.h"

namespace elk::master {
namespace {

std::string State(Metadata& md) {
  return fmt::format("# version {}\n{}{}", md.version(), md.ns().Dump(), md.DumpChunks());
}

// The live state equals what the changelogs alone replay to, and the registry's references
// equal the files' chunks.
void ExpectReplayEqualsLive(Metadata& md, const std::string& dir, const std::string& what) {
  ASSERT_TRUE(md.Commit().ok());
  RestoreOptions ro{"", changelog::ListFiles(dir, "changelog"), dir + "/restored.mfs"};
  auto report = RestoreMetadata(ro, 5);
  ASSERT_TRUE(report.ok()) << what << ": " << report.status().ToString();
  auto text = DumpImage(dir + "/restored.mfs");
  ASSERT_TRUE(text.ok());
  ASSERT_EQ(*text, State(md)) << what;
  ASSERT_EQ(RegistryChunks(md.chunks()), ExpectedChunks(md.ns(), md.chunks().next_chunk_id()))
      << what;
}

std::vector<std::string> LoggedBodies(const std::string& dir, std::string_view op) {
  std::vector<std::string> out;
  for (const auto& f : changelog::ListFiles(dir, "changelog")) {
    auto c = changelog::ReadFile(f);
    EXPECT_TRUE(c.ok());
    for (const auto& r : c->records) {
      if (changelog::BodyReader::Parse(r.body)->op() == op) out.push_back(r.body);
    }
  }
  return out;
}

class SnapshotSlicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = TempDir("snapslices");
    options.data_path = dir;
    options.sync = changelog::SyncPolicy::kNever;
    auto m = Metadata::Open(options, 1000);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    md = std::move(*m);
    ConnectServers(md->chunks(), 1000);
  }
  void TearDown() override {
    md.reset();
    std::filesystem::remove_all(dir);
  }
  InodeId Mkdir(InodeId parent, const std::string& name, const Cred& who = Cred{},
                uint16_t mode = 0755) {
    auto d = md->Mkdir(who, parent, name, mode, 0, 1000);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->inode : 0;
  }
  InodeId File(InodeId parent, const std::string& name, const Cred& who = Cred{}) {
    auto f = md->Create(who, parent, name, NodeType::kFile, 0644, 0, 0, 1000);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? f->inode : 0;
  }
  // Runs slices of `budget` until done (or 100,000 slices); `between` runs after each.
  Status RunAll(SnapshotWalk& walk, size_t budget, uint32_t now,
                const std::function<void(int)>& between = {}) {
    for (int slice = 0; !walk.done() && slice < 100000; ++slice) {
      Status s = md->SnapshotSome(walk, budget, now);
      if (!s.ok()) return s;
      if (between) between(slice);
    }
    return walk.done() ? Status::Ok() : Status(Code::kTimeout, "never done");
  }

  std::string dir;
  MetadataOptions options;
  std::unique_ptr<Metadata> md;
};

// The directory (not the root) holding the most nodes: the source of the next snapshot.
InodeId BiggestDir(const Namespace& ns) {
  InodeId best = 0;
  uint64_t most = 0;
  for (InodeId id = 2; id < ns.NodeCount() * 4 + 64; ++id) {
    auto a = ns.GetAttr(id);
    if (!a.ok() || a->type != NodeType::kDirectory || ns.Detached(id)) continue;
    auto info = ns.GetDirInfo(id);
    if (info.ok() && info->inodes > most) {
      most = info->inodes;
      best = id;
    }
  }
  return best;
}

TEST_F(SnapshotSlicesTest, SlicesBetweenOtherMutationsReplayToTheLiveState) {
  Workload w(41, /*days_pass=*/true);
  for (int i = 0; i < 600; ++i) {  // a tree with files and chunks
    Op op = w.Next(md->ns());
    (void)RunLive(*md, op);
  }
  const InodeId src_tree = Mkdir(kRootInode, "src");  // and a bigger one to copy
  for (int d = 0; d < 8; ++d) {
    const InodeId sub = Mkdir(src_tree, fmt::format("d{}", d));
    for (int f = 0; f < 12; ++f)
      File(sub, fmt::format("f{}", f));
  }
  int sliced = 0;
  for (int round = 0; round < 10; ++round) {
    auto named = md->ns().Lookup(Cred{}, kRootInode, "src");
    const InodeId src = named.ok() ? named->inode : BiggestDir(md->ns());
    ASSERT_NE(src, 0u);
    const Cred cred = round % 4 == 3 ? Cred{1000, 100, {}} : Cred{};
    auto walk =
        md->StartSnapshot(cred, src, kRootInode, fmt::format("snap{}", round % 3), round % 2 == 1);
    if (!walk.ok()) continue;  // an existing name without overwrite: nothing to do
    int slices = 0;
    Status s = RunAll(*walk, 1 + round % 4, w.now(), [&](int slice) {
      ++slices;
      if (round == 4 && slice == 5) {
        ASSERT_TRUE(md->SaveImage(w.now()).ok());  // in the middle of a snapshot
      }
      for (int k = 0; k < 3; ++k) {  // other clients, between the slices
        Op op = w.Next(md->ns());
        (void)RunLive(*md, op);
      }
    });
    EXPECT_TRUE(s.ok() || s.code() == Code::kAccess) << s.ToString();
    if (walk->copied > 10) ++sliced;
    // After every snapshot: a later one would hide an earlier one's divergence.
    ExpectReplayEqualsLive(*md, dir, fmt::format("round {} ({} slices)", round, slices));
  }
  EXPECT_GE(sliced, 5) << "most snapshots copied many nodes in many slices";
  EXPECT_GT(LoggedBodies(dir, "SNAPNODES").size(), 200u);
  // From the image saved in the middle of a snapshot plus the newer records, as a restart.
  const std::string live = State(*md);
  md.reset();
  options.auto_recover = true;
  auto again = Metadata::Open(options, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(State(**again), live);
}

TEST_F(SnapshotSlicesTest, OldAndNewRecordsReplay) {
  auto off = Metadata::FromImage(nullptr);
  ASSERT_TRUE(off.ok());
  Metadata& m = **off;
  ASSERT_TRUE(m.Replay({1, "5|MKDIR(1,\"a\",493,18,0,0,\"\"):2"}).ok());
  ASSERT_TRUE(m.Replay({2, "5|CREATE(2,\"f\",1,420,18,0,0,0,\"\"):3"}).ok());
  // An old changelog's whole-tree SNAPSHOT: a -> b (b is 4, b/f is 5).
  Status s = m.Replay({3, "6|SNAPSHOT(2,1,\"b\",0,0,0,\"\"):4"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(m.ns().Lookup(Cred{}, 4, "f")->inode, 5u);
  // SNAPNODES: exactly the steps named (a -> c as 6, then f into c as 7).
  s = m.Replay({4, "7|SNAPNODES(1,0,0,0,\"\",2,1,\"c\",6,3,6,\"f\",7):2"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(m.ns().Lookup(Cred{}, kRootInode, "c")->inode, 6u);
  EXPECT_EQ(m.ns().Lookup(Cred{}, 6, "f")->inode, 7u);
  EXPECT_EQ(m.ns().GetAttr(7)->ctime, FileTimeOf(7));
  s = m.Replay({5, "8|SNAPNODES(0,0,0,0,\"\",3,1,\"g\",8):1"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  // A step that makes another node than logged, a missing parent, no step, a step cut
  // short: divergence. (Each is refused at its step; replay stops at the first refusal.)
  EXPECT_EQ(m.Replay({6, "9|SNAPNODES(0,0,0,0,\"\",3,1,\"h\",99):1"}).code(), Code::kCorruption);
  EXPECT_EQ(m.Replay({6, "9|SNAPNODES(0,0,0,0,\"\",3,77,\"i\",10):1"}).code(), Code::kCorruption);
  EXPECT_EQ(m.Replay({6, "9|SNAPNODES(0,0,0,0,\"\"):0"}).code(), Code::kCorruption);
  EXPECT_EQ(m.Replay({6, "9|SNAPNODES(0,0,0,0,\"\",3,1):1"}).code(), Code::kCorruption);
  // The top step is checked as the request is: no snapshot of a directory into itself.
  EXPECT_EQ(m.Replay({6, "9|SNAPNODES(1,0,0,0,\"\",2,2,\"x\",10):1"}).code(), Code::kCorruption);
  EXPECT_FALSE(m.ns().Lookup(Cred{}, 2, "x").ok());
}

TEST_F(SnapshotSlicesTest, RecordsStayBoundedWhateverTheNames) {
  const InodeId src = Mkdir(kRootInode, "src");
  for (int i = 0; i < 20000; ++i)
    File(src, fmt::format("f{}", i));
  const std::string long_name(250, '%');  // escaped: 750 bytes a name, 1,001 names
  const InodeId wide = Mkdir(kRootInode, "wide");
  for (int i = 0; i < 1000; ++i)
    File(wide, fmt::format("{}{:04}", long_name, i));
  const uint64_t before = md->version();
  ASSERT_TRUE(md->MakeSnapshot(Cred{}, src, kRootInode, "copy", false, 1001).ok());
  EXPECT_EQ(md->version(), before + 2) << "20,001 nodes: two records of at most 16,384";
  ASSERT_TRUE(md->MakeSnapshot(Cred{}, wide, kRootInode, "copy2", false, 1002).ok());
  EXPECT_GE(md->version(), before + 2 + 2) << "1,001 long names: more than one record";
  ASSERT_TRUE(md->Commit().ok());
  for (const std::string& body : LoggedBodies(dir, "SNAPNODES"))
    EXPECT_LE(body.size(), 512u * 1024 + 1024);  // kMaxRecordBytes and one step
  ExpectReplayEqualsLive(*md, dir, "bounded records");
}

TEST_F(SnapshotSlicesTest, ACopyMovedIntoTheSourceIsNotCopiedAgain) {
  const InodeId src = Mkdir(kRootInode, "s");
  for (const char* d : {"a", "b", "c"}) {
    const InodeId sub = Mkdir(src, d);
    for (int f = 0; f < 5; ++f)
      File(sub, fmt::format("f{}", f));
  }
  auto walk = md->StartSnapshot(Cred{}, src, kRootInode, "snap", false);
  ASSERT_TRUE(walk.ok());
  ASSERT_TRUE(md->SnapshotSome(*walk, 1, 1001).ok());
  ASSERT_NE(walk->top, 0u) << "the destination exists from the first slice";
  // Another client moves the partial copy into a folder of the source not yet copied.
  ASSERT_TRUE(md->Rename(Cred{}, kRootInode, "snap", md->ns().Lookup(Cred{}, src, "c")->inode,
                         "snap", RenameFlags{}, 1001)
                  .ok());
  ASSERT_TRUE(RunAll(*walk, 2, 1002).ok());
  EXPECT_EQ(walk->copied, 1u + 3 + 15) << "the source's nodes, once each";
  ExpectReplayEqualsLive(*md, dir, "moved copy");
}

TEST_F(SnapshotSlicesTest, ANodeMadeUnreadableMidwayEndsTheSnapshotWithAccess) {
  const Cred alice{1000, 100, {}};
  const Cred bob{1001, 100, {}};
  const InodeId home = Mkdir(kRootInode, "home", Cred{}, 0777);
  const InodeId src = Mkdir(home, "p", alice);
  std::vector<InodeId> files;
  for (int f = 0; f < 30; ++f)
    files.push_back(File(src, fmt::format("f{:02}", f), alice));
  const InodeId out = Mkdir(home, "out", bob);
  auto walk = md->StartSnapshot(bob, src, out, "copy", false);
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  while (!walk->check.done())  // the read check, in slices
    ASSERT_TRUE(md->SnapshotSome(*walk, 4, 1001).ok());
  ASSERT_TRUE(md->SnapshotSome(*walk, 4, 1001).ok());
  ASSERT_GT(walk->copied, 0u);
  SetAttrRequest req;
  req.mode = 0600;
  ASSERT_TRUE(md->SetAttr(alice, files.back(), req, 1002).ok());  // not copied yet
  EXPECT_EQ(RunAll(*walk, 4, 1003).code(), Code::kAccess);
  EXPECT_TRUE(walk->done());
  EXPECT_LT(walk->copied, 31u) << "stopped at the unreadable file";
  EXPECT_TRUE(md->ns().Lookup(bob, out, "copy").ok()) << "the partial copy stays";
  ExpectReplayEqualsLive(*md, dir, "unreadable midway");
  // Refused from the start when a node is unreadable: nothing is made.
  const uint64_t before = md->version();
  EXPECT_EQ(md->MakeSnapshot(bob, src, out, "copy2", false, 1004).status().code(), Code::kAccess);
  EXPECT_EQ(md->version(), before);
  EXPECT_FALSE(md->ns().Lookup(bob, out, "copy2").ok());
}

}  // namespace
}  // namespace elk::master
