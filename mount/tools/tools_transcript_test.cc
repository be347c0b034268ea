// Replays MooseFS 3's own sessions against the fake cluster, command by command, and requires
// the same bytes and exit codes: testdata/tools_demo_session.txt (an excerpt of
// /work/shared/bench/moosefs-tool-output.txt) and testdata/copy_tools_session.txt
// (mfscopygoal, mfscopytrashtime). State carries over between commands, as in the real
// session: mfssetgoal 3 then mfssetgoal -r 2 reports exactly one change.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mount/tools/dispatch.h"
#include "mount/tools/fake_cluster.h"

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

// Runs every step of `file` that names one of our tools on a fresh tools_demo tree; returns
// how many ran.
int Replay(const std::string& file, size_t min_steps) {
  std::vector<Step> steps = LoadSession(std::string(ELK_TOOLS_TESTDATA) + "/" + file);
  EXPECT_GE(steps.size(), min_steps) << file << " missing or unreadable";
  ToolHarness h;
  int replayed = 0;
  for (const Step& step : steps) {
    if (!IsOurTool(step.argv.front())) continue;  // `ls -l` and the like
    RunResult r = h.Run(step.argv);
    std::string cmd;
    for (const auto& w : step.argv)
      cmd += w + " ";
    EXPECT_EQ(r.err + r.out, step.expected) << "command: " << cmd;
    EXPECT_EQ(r.rc, step.rc) << "command: " << cmd;
    ++replayed;
  }
  return replayed;
}

TEST(ToolsTranscript, MatchesMooseFsByteForByte) {
  EXPECT_EQ(Replay("tools_demo_session.txt", 15), 17);
}

TEST(ToolsTranscript, CopyToolsMatchMooseFsByteForByte) {
  EXPECT_EQ(Replay("copy_tools_session.txt", 21), 21);
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
