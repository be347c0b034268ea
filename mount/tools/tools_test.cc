// The tools' behaviour beyond the MooseFS sample: errors, options, other output forms.

#include "mount/tools/tools.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "mount/tools/fake_cluster.h"

namespace elk::tools::testing {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST(Tools, OutsideAMountFailsThatPathOnly) {
  ToolHarness h;
  h.tree.AddLocalFile("/tmp/local.txt");
  RunResult r = h.Run({"mfsgetgoal", "/tmp/local.txt", "tools_demo", "missing"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "tools_demo: 2\n");
  EXPECT_EQ(r.err,
            "/tmp/local.txt: not an ElkFS object\n"
            "missing: No such file or directory\n");
}

TEST(Tools, OneBackendPerMountPerRun) {
  ToolHarness h;
  EXPECT_EQ(h.Run({"mfsgetgoal", "tools_demo", "tools_demo/sub", "tools_demo/other.bin"}).rc, 0);
  EXPECT_EQ(h.tree.backends_opened, 1);
}

TEST(Tools, MasterUnreachable) {
  ToolHarness h;
  h.tree.masterinfo = "master=10.1.2.3:9421 session=1";
  std::ostringstream out, err;
  FakeProbe probe(h.tree);
  BackendFactory refuse = [](const MasterInfo&) -> Result<std::unique_ptr<ToolBackend>> {
    return Status(Code::kCantConnect, "Connection refused");
  };
  ToolEnv env{out, err, probe, refuse, {}, std::nullopt, -1, {}};
  EXPECT_EQ(GetGoalTool(env, std::vector<std::string>{"tools_demo"}), 1);
  EXPECT_EQ(err.str(), "tools_demo: can't connect to master (10.1.2.3:9421): Connection refused\n");
}

TEST(Tools, UsageErrors) {
  ToolHarness h;
  RunResult none = h.Run({"mfsgetgoal"});
  EXPECT_EQ(none.rc, 1);
  EXPECT_TRUE(StartsWith(none.err, "get objects goal (desired number of copies)\n\nusage: "));
  RunResult bad_switch = h.Run({"mfsdirinfo", "-z", "tools_demo"});
  EXPECT_EQ(bad_switch.rc, 1);
  EXPECT_TRUE(StartsWith(bad_switch.err, "invalid option -- 'z'\nshow directories stats\n"));
  RunResult bad_goal = h.Run({"mfssetgoal", "11", "tools_demo"});
  EXPECT_EQ(bad_goal.rc, 1);
  EXPECT_TRUE(StartsWith(bad_goal.err, "11: wrong goal definition\nset objects goal"));
  RunResult no_path = h.Run({"mfssetgoal", "2"});
  EXPECT_EQ(no_path.rc, 1);
  RunResult bad_time = h.Run({"mfssettrashtime", "soon", "tools_demo"});
  EXPECT_EQ(bad_time.rc, 1);
  EXPECT_TRUE(StartsWith(bad_time.err, "trashtime should be given as number of seconds"));
  EXPECT_EQ(h.Run({"mfsmakesnapshot", "tools_demo"}).rc, 1);
  EXPECT_EQ(h.Run({"mfsappendchunks", "tools_demo/x"}).rc, 1);
  EXPECT_EQ(none.out + bad_switch.out + bad_goal.out + bad_time.out, "");
}

TEST(Tools, SetWithDirectionReportsNoChange) {
  ToolHarness h;
  EXPECT_EQ(h.Run({"mfssetgoal", "3+", "tools_demo/other.bin"}).out,
            "tools_demo/other.bin: goal: 3\n");
  EXPECT_EQ(h.Run({"mfssetgoal", "2+", "tools_demo/other.bin"}).out,
            "tools_demo/other.bin: goal not changed\n");
  EXPECT_EQ(h.Run({"mfssetgoal", "2", "tools_demo/sub"}).out, "tools_demo/sub: goal: 2\n");
  EXPECT_EQ(h.Run({"mfssettrashtime", "3600", "tools_demo"}).out, "tools_demo: 3600\n");
  EXPECT_EQ(h.Run({"mfssettrashtime", "7200-", "tools_demo"}).out,
            "tools_demo: trashtime not changed\n");
  EXPECT_EQ(h.Run({"mfssettrashtime", "1h-", "tools_demo/sub"}).out, "tools_demo/sub: 3600\n");
  EXPECT_EQ(h.Run({"mfsgettrashtime", "tools_demo/sub"}).out, "tools_demo/sub: 3600\n");
}

TEST(Tools, RecursiveGetWithSeveralValuesAndHumanCounts) {
  ToolHarness h;
  h.Run({"mfssetgoal", "5", "tools_demo/sub/data.bin"});
  RunResult r = h.Run({"mfsgetgoal", "-r", "-h", "tools_demo"});
  EXPECT_EQ(r.out,
            "tools_demo:\n"
            " files with goal                2 :      2\n"
            " files with goal                5 :      1\n"
            " directories with goal          2 :      3\n");
}

// Another user's request: a tree counts the nodes it may not change (exit 0, as MooseFS), one
// node is refused.
TEST(Tools, PermissionDeniedIsCountedOrRefused) {
  ToolHarness h;
  h.creds.uid = 1000;
  const std::string denied =
      "tools_demo:\n"
      " inodes with goal changed:                       0\n"
      " inodes with goal not changed:                   0\n"
      " inodes with permission denied:                  6\n";
  RunResult r = h.Run({"mfssetgoal", "-r", "3", "tools_demo"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, denied);
  r = h.Run({"mfscopygoal", "-r", "tools_demo/other.bin", "tools_demo"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "tools_demo/other.bin: 2\n" + denied);
  r = h.Run({"mfscopytrashtime", "tools_demo", "tools_demo/sub", "tools_demo/other.bin"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "tools_demo: 86400\n");
  EXPECT_EQ(r.err,
            "tools_demo/sub: Operation not permitted\n"
            "tools_demo/other.bin: Operation not permitted\n");
}

// mfscopygoal / mfscopytrashtime fail as MooseFS 3.0.117 does (same exit codes, same paths
// set); the wording is ours, "<path>: <reason>" on stderr, where MooseFS prints "realpath
// error on (...)" on stdout (docs/tools.md). A source that cannot be read stops the tool
// before any set.
TEST(Tools, CopyFromAMissingSourceSetsNothing) {
  ToolHarness h;
  h.tree.AddLocalFile("/tmp/local.txt");
  for (const char* tool : {"mfscopygoal", "mfscopytrashtime"}) {
    RunResult r = h.Run({tool, "tools_demo/nothere", "tools_demo/other.bin"});
    EXPECT_EQ(r.rc, 1) << tool;
    EXPECT_EQ(r.out, "") << tool;
    EXPECT_EQ(r.err, "tools_demo/nothere: No such file or directory\n") << tool;
    r = h.Run({tool, "-r", "/tmp/local.txt", "tools_demo"});
    EXPECT_EQ(r.rc, 1) << tool;
    EXPECT_EQ(r.out, "") << tool;
    EXPECT_EQ(r.err, "/tmp/local.txt: not an ElkFS object\n") << tool;
  }
  EXPECT_EQ(h.Run({"mfsgetgoal", "-r", "tools_demo"}).out,
            "tools_demo:\n"
            " files with goal                2 :          3\n"
            " directories with goal          2 :          3\n");
}

// A destination that does not exist is reported and the others still get the value; the exit
// status says something failed.
TEST(Tools, CopyGoesOnPastAMissingDestination) {
  ToolHarness h;
  h.tree.AddLocalFile("/tmp/local.txt");
  h.Run({"mfssetgoal", "5", "tools_demo/sub/data.bin"});
  RunResult r = h.Run({"mfscopygoal", "tools_demo/sub/data.bin", "tools_demo/nothere",
                       "/tmp/local.txt", "tools_demo/other.bin"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "tools_demo/sub/data.bin: 5\ntools_demo/other.bin: goal: 5\n");
  EXPECT_EQ(r.err,
            "tools_demo/nothere: No such file or directory\n"
            "/tmp/local.txt: not an ElkFS object\n");
  EXPECT_EQ(h.tree.node(*h.tree.Find("tools_demo/other.bin")).goal, 5);
  EXPECT_EQ(h.tree.backends_opened, 2);  // one a run: the source's session serves the rest

  h.Run({"mfssettrashtime", "600", "tools_demo/other.bin"});
  r = h.Run(
      {"mfscopytrashtime", "-r", "tools_demo/other.bin", "tools_demo/sub", "tools_demo/nothere"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out,
            "tools_demo/other.bin: 600\n"
            "tools_demo/sub:\n"
            " inodes with trashtime changed:              4\n"
            " inodes with trashtime not changed:          0\n"
            " inodes with permission denied:              0\n");
  EXPECT_EQ(r.err, "tools_demo/nothere: No such file or directory\n");
  EXPECT_EQ(h.tree.node(*h.tree.Find("tools_demo/sub/deeper/small.txt")).trashtime, 600u);
  EXPECT_EQ(h.tree.node(*h.tree.Find("tools_demo")).trashtime, 86400u);  // not a destination
}

// The copied value is set plainly: lower as well as higher, never "not changed" for one node.
TEST(Tools, CopySetsTheValueEvenWhenLower) {
  ToolHarness h;
  h.Run({"mfssetgoal", "1", "tools_demo/other.bin"});
  h.Run({"mfssetgoal", "7", "tools_demo/sub/data.bin"});
  EXPECT_EQ(h.Run({"mfscopygoal", "tools_demo/other.bin", "tools_demo/sub/data.bin"}).out,
            "tools_demo/other.bin: 1\ntools_demo/sub/data.bin: goal: 1\n");
  EXPECT_EQ(h.Run({"mfscopygoal", "tools_demo/other.bin", "tools_demo/sub/data.bin"}).out,
            "tools_demo/other.bin: 1\ntools_demo/sub/data.bin: goal: 1\n");
  EXPECT_EQ(h.Run({"mfscopytrashtime", "tools_demo", "tools_demo/sub"}).out,
            "tools_demo: 86400\ntools_demo/sub: 86400\n");
}

TEST(Tools, CopyUsageErrors) {
  ToolHarness h;
  RunResult one = h.Run({"mfscopygoal", "-r", "tools_demo"});
  EXPECT_EQ(one.rc, 1);
  EXPECT_TRUE(StartsWith(one.err, "copy object goal (desired number of copies)\n\nusage: "));
  RunResult bad_switch = h.Run({"mfscopytrashtime", "-q", "tools_demo", "tools_demo/sub"});
  EXPECT_EQ(bad_switch.rc, 1);
  EXPECT_TRUE(StartsWith(bad_switch.err, "invalid option -- 'q'\ncopy objects trashtime"));
  EXPECT_EQ(one.out + bad_switch.out, "");
  EXPECT_EQ(h.tree.backends_opened, 0);  // nothing asked of the master
}

TEST(Tools, FileInfoEdgeCases) {
  ToolHarness h;
  uint32_t demo = *h.tree.Find("tools_demo");
  h.tree.AddFile(demo, "empty.bin");
  h.tree.AddFile(demo, "odd.bin", 3 << 26,
                 {ChunkInfo{0x1A, 2, {{0x7F000001, 9422, CopyState::kWrongVersion}}},
                  ChunkInfo{0, 0, {}}, ChunkInfo{0x1C, 1, {}},
                  ChunkInfo{0x1D,
                            1,
                            {{0x0A000002, 9422, CopyState::kValid},
                             {0x0A000001, 9422, CopyState::kMarkedForRemoval}}}});
  EXPECT_EQ(h.Run({"mfsfileinfo", "tools_demo/empty.bin"}).out,
            "tools_demo/empty.bin:\n\tno chunks - empty file\n");
  EXPECT_EQ(h.Run({"mfsfileinfo", "tools_demo/odd.bin"}).out,
            "tools_demo/odd.bin:\n"
            "\tchunk 0: 000000000000001A_00000002 / (id:26 ver:2)\n"
            "\t\tcopy 1: 127.0.0.1:9422 (status:WRONG VERSION)\n"
            "\t\tno valid copies !!!\n"
            "\tchunk 1: empty\n"
            "\tchunk 2: 000000000000001C_00000001 / (id:28 ver:1)\n"
            "\t\tno valid copies !!!\n"
            "\tchunk 3: 000000000000001D_00000001 / (id:29 ver:1)\n"
            "\t\tcopy 1: 10.0.0.1:9422 (status:MARKED FOR REMOVAL)\n"
            "\t\tcopy 2: 10.0.0.2:9422 (status:VALID)\n");
  EXPECT_EQ(h.Run({"mfscheckfile", "tools_demo/odd.bin"}).out,
            "tools_demo/odd.bin:\n"
            " chunks with 0 copies:            2\n"  // chunk 1 is a hole, not a chunk
            " chunks with 1 copy:              1\n");
  EXPECT_EQ(h.Run({"mfsfileinfo", "-q", "tools_demo/sub/data.bin"}).out,
            "tools_demo/sub/data.bin:\n chunks with 2 copies:            3\n");
}

TEST(Tools, DirInfoOtherForms) {
  ToolHarness h;
  EXPECT_EQ(h.Run({"mfsdirinfo", "-H", "tools_demo"}).out,
            "tools_demo:\n"
            " inodes:           6\n"
            "  directories:     3\n"
            "  files:           3\n"
            " chunks:           6\n"
            " length:       220MB\n"
            " size:         220MB\n"
            " realsize:     440MB\n");
  EXPECT_EQ(h.Run({"mfsdirinfo", "-m", "tools_demo"}).out,
            "tools_demo:\n"
            " inodes:                    0\n"  // -m divides counts too, as MooseFS
            "  directories:              0\n"
            "  files:                    0\n"
            " chunks:                    0\n"
            " length:                  209\n"
            " size:                    209\n"
            " realsize:                419\n");
  EXPECT_EQ(h.Run({"mfsdirinfo", "-i", "-ls", "tools_demo"}).out,
            "6\t220000006\t220184576\ttools_demo\n");
  EXPECT_EQ(h.Run({"mfsdirinfo", "-h", "-r", "tools_demo"}).out, "420MiB\ttools_demo\n");
}

TEST(Tools, SnapshotIntoDirectoryAndOverwrite) {
  ToolHarness h;
  EXPECT_EQ(h.Run({"mfsmakesnapshot", "tools_demo/other.bin", "tools_demo/sub/data.bin",
                   "tools_demo/sub/deeper"})
                .rc,
            0);
  EXPECT_TRUE(h.tree.Find("tools_demo/sub/deeper/other.bin"));
  EXPECT_TRUE(h.tree.Find("tools_demo/sub/deeper/data.bin"));
  RunResult exists = h.Run({"mfsmakesnapshot", "tools_demo/other.bin", "tools_demo/sub/data.bin"});
  EXPECT_EQ(exists.rc, 1);
  EXPECT_EQ(exists.err, "tools_demo/other.bin->tools_demo/sub/data.bin: File exists\n");
  EXPECT_EQ(h.Run({"mfsmakesnapshot", "-o", "tools_demo/other.bin", "tools_demo/sub/data.bin"}).rc,
            0);
  EXPECT_EQ(h.tree.node(*h.tree.Find("tools_demo/sub/data.bin")).chunks.begin()->second.chunk_id,
            394u);
}

TEST(Tools, SnapshotRefusals) {
  ToolHarness h;
  h.tree.AddLocalFile("/tmp/local.bin");
  RunResult many =
      h.Run({"mfsmakesnapshot", "tools_demo/other.bin", "tools_demo/sub", "tools_demo/new"});
  EXPECT_EQ(many.rc, 1);
  EXPECT_EQ(many.err, "can snapshot multiple elements only into existing directory\n");
  RunResult outside = h.Run({"mfsmakesnapshot", "/tmp/local.bin", "tools_demo/copy"});
  EXPECT_EQ(outside.rc, 1);
  EXPECT_EQ(outside.err, "/tmp/local.bin: not an ElkFS object\n");
  RunResult no_parent = h.Run({"mfsmakesnapshot", "tools_demo/other.bin", "tools_demo/no/copy"});
  EXPECT_EQ(no_parent.rc, 1);
  EXPECT_EQ(no_parent.err, "tools_demo/no/copy: No such file or directory\n");
  RunResult slash = h.Run({"mfsmakesnapshot", "tools_demo/other.bin", "tools_demo/newdir/"});
  EXPECT_EQ(slash.err, "directory tools_demo/newdir/ does not exist\n");
}

TEST(Tools, AppendChunksRefusals) {
  ToolHarness h;
  h.tree.AddLocalFile("/tmp/local.bin");
  RunResult dir_src =
      h.Run({"mfsappendchunks", "tools_demo/a.bin", "tools_demo/sub", "tools_demo/other.bin"});
  EXPECT_EQ(dir_src.rc, 1);
  EXPECT_EQ(dir_src.err, "tools_demo/sub: not a file\n");
  EXPECT_EQ(h.tree.node(*h.tree.Find("tools_demo/a.bin")).chunks.size(), 2u);  // the rest ran
  RunResult dir_dst = h.Run({"mfsappendchunks", "tools_demo/sub", "tools_demo/other.bin"});
  EXPECT_EQ(dir_dst.err, "tools_demo/sub: not a file\n");
  RunResult outside = h.Run({"mfsappendchunks", "tools_demo/a.bin", "/tmp/local.bin"});
  EXPECT_EQ(outside.err, "/tmp/local.bin: not an ElkFS object\n");
}

// MooseFS 3's mfsfilepaths: "NAME:" then every link's path as the master gives it; a node
// number that names no file is taken as one.
TEST(Tools, FilePathsListsEveryLinkAndTakesNodeNumbers) {
  ToolHarness h;
  const uint32_t file = *h.tree.Find("tools_demo/sub/data.bin");
  h.tree.Link(*h.tree.Find("tools_demo"), "again.bin", file);
  RunResult r = h.Run({"mfsfilepaths", "tools_demo/sub/data.bin", "/mnt/elk"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            "tools_demo/sub/data.bin:\n"
            "tools_demo/again.bin\n"
            "tools_demo/sub/data.bin\n"
            "/mnt/elk:\n"
            "/\n");
  r = h.Run({"mfsfilepaths", std::to_string(file)});
  EXPECT_EQ(r.out, std::to_string(file) + ":\ntools_demo/again.bin\ntools_demo/sub/data.bin\n");
  r = h.Run({"mfsfilepaths", "99999", "nothere"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("99999: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothere: "), std::string::npos) << r.err;
  EXPECT_EQ(h.Run({"mfsfilepaths"}).rc, 1);  // usage
}

TEST(Tools, MountRootMapsToTheExportedInode) {
  ToolHarness h;
  uint32_t sub = *h.tree.Find("tools_demo/sub");
  h.tree.node(sub).goal = 7;
  h.tree.masterinfo = fmt::format("master=127.0.0.1:9421 session=7 root_inode={}", sub);
  EXPECT_EQ(h.Run({"mfsgetgoal", "/mnt/elk"}).out, "/mnt/elk: 7\n");
  EXPECT_EQ(h.Run({"mfsgetgoal", "/mnt/elk/tools_demo"}).out, "/mnt/elk/tools_demo: 2\n");
}

TEST(Tools, HumanFormatFromTheEnvironmentAndSwitchOverride) {
  ToolHarness h;
  h.hrformat = "h";
  EXPECT_EQ(h.Run({"mfscheckfile", "tools_demo/sub/data.bin"}).out,
            "tools_demo/sub/data.bin:\n chunks with 2 copies:        3\n");
  EXPECT_EQ(h.Run({"mfscheckfile", "-n", "tools_demo/sub/data.bin"}).out,
            "tools_demo/sub/data.bin:\n chunks with 2 copies:            3\n");
}

}  // namespace
}  // namespace elk::tools::testing
