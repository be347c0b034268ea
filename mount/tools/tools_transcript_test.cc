// Replays MooseFS 3's own sessions against the fake cluster, command by command, and requires
// the same bytes and exit codes: testdata/tools_demo_session.txt (an excerpt of
// /work/shared/bench/moosefs-tool-output.txt), testdata/copy_tools_session.txt
// (mfscopygoal, mfscopytrashtime) and testdata/fileinfo_repair_session.txt (mfsfileinfo -c / -s,
// mfsfilerepair, with chunkservers stopped and started between the steps). State carries over
// between commands, as in the real session: mfssetgoal 3 then mfssetgoal -r 2 reports exactly one
// change.

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "mount/tools/dispatch.h"
#include "mount/tools/fake_cluster.h"
#include "mount/tools/repair_demo.h"

namespace elk::tools::testing {
namespace {

struct Step {
  std::vector<std::string> argv;
  std::string expected;  // stderr then stdout, as the shell's 2>&1 showed them
  int rc = 0;
};

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;)
    words.push_back(w);
  return words;
}

std::vector<Step> LoadSession(const std::string& file) {
  std::ifstream in(file);
  std::vector<Step> steps;
  std::string line;
  bool in_output = false;  // between a "$ " line and its "[exit N]": blank lines are output
  while (std::getline(in, line)) {
    if (line.rfind("$ ", 0) == 0) {
      steps.push_back({Words(line.substr(2)), "", 0});
      in_output = true;
    } else if (line.rfind("[exit ", 0) == 0 && !steps.empty()) {
      steps.back().rc = std::stoi(line.substr(6));
      in_output = false;
    } else if (in_output) {
      steps.back().expected += line + "\n";
    }
  }
  return steps;
}

bool IsOurTool(const std::string& name) {
  if (name == "mfstools") return true;
  for (std::string_view t : ToolNames()) {
    if (t == name) return true;
  }
  return false;
}

// A step that is not a tool (the recording's shell helpers): applied to the fake cluster.
using Event = std::function<void(ToolHarness&, const std::vector<std::string>&)>;

// Runs every step of `file` that names one of our tools on the tree `h` holds (a fresh
// tools_demo tree unless given); returns how many ran.
// `elk_output`: steps (numbered among the tool steps, from 0) where ElkFS prints something
// else on purpose (docs/tools.md, "Where ElkFS differs"), with what it prints instead.
int Replay(const std::string& file, size_t min_steps, ToolHarness& h, const Event& event = {},
           const std::map<int, std::string>& elk_output = {}) {
  std::vector<Step> steps = LoadSession(std::string(ELK_TOOLS_TESTDATA) + "/" + file);
  EXPECT_GE(steps.size(), min_steps) << file << " missing or unreadable";
  int replayed = 0;
  for (const Step& step : steps) {
    if (!IsOurTool(step.argv.front())) {  // `ls -l` and the like
      if (event) event(h, step.argv);
      continue;
    }
    RunResult r = h.Run(step.argv);
    std::string cmd;
    for (const auto& w : step.argv)
      cmd += w + " ";
    auto differs = elk_output.find(replayed);
    EXPECT_EQ(r.err + r.out, differs == elk_output.end() ? step.expected : differs->second)
        << "command: " << cmd;
    EXPECT_EQ(r.rc, step.rc) << "command: " << cmd;
    ++replayed;
  }
  return replayed;
}

TEST(ToolsTranscript, MatchesMooseFsByteForByte) {
  ToolHarness h;
  EXPECT_EQ(Replay("tools_demo_session.txt", 15, h), 17);
}

TEST(ToolsTranscript, CopyToolsMatchMooseFsByteForByte) {
  ToolHarness h;
  EXPECT_EQ(Replay("copy_tools_session.txt", 21, h), 21);
}

TEST(ToolsTranscript, FileInfoChecksumsAndRepairMatchMooseFsByteForByte) {
  RepairDemo demo;
  // mfscheckfile after the erase: MooseFS counts the erased slot as an "empty (zero)
  // chunk"; ElkFS's chunk list answer does not tell holes, so nothing is printed.
  const std::map<int, std::string> elk_output = {{9, "repair_demo/lost.bin:\n"}};
  EXPECT_EQ(Replay(
                "fileinfo_repair_session.txt", 23, demo.h,
                [&demo](ToolHarness&, const std::vector<std::string>& argv) { demo.Apply(argv); },
                elk_output),
            17);
  EXPECT_EQ(demo.events, 6);
}

TEST(ToolsTranscript, SnapshotsAndAppendLandWhereMooseFsPutsThem) {
  ToolHarness h;
  ASSERT_EQ(h.Run({"mfsmakesnapshot", "tools_demo/sub", "tools_demo/sub_snap"}).rc, 0);
  ASSERT_EQ(h.Run({"mfsmakesnapshot", "tools_demo/sub/data.bin", "tools_demo/data_snap.bin"}).rc,
            0);
  ASSERT_EQ(h.Run({"mfsappendchunks", "tools_demo/appended.bin", "tools_demo/sub/deeper/small.txt",
                   "tools_demo/other.bin"})
                .rc,
            0);
  EXPECT_TRUE(h.tree.Find("tools_demo/sub_snap/deeper/small.txt"));
  auto snap = h.tree.Find("tools_demo/data_snap.bin");
  ASSERT_TRUE(snap);
  EXPECT_EQ(h.tree.node(*snap).chunks.begin()->second.chunk_id, 390u);  // shared, not copied
  auto appended = h.tree.Find("tools_demo/appended.bin");
  ASSERT_TRUE(appended);
  EXPECT_EQ(h.tree.node(*appended).length, 137108864u);  // as `ls -l` showed in MooseFS
}

}  // namespace
}  // namespace elk::tools::testing
