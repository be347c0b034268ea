#include "mount/tools/dispatch.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "mount/tools/fake_cluster.h"

namespace elk::tools::testing {
namespace {

TEST(Dispatch, ArgvZeroNamesTheTool) {
  ToolHarness h;
  RunResult r = h.Run({"/usr/local/bin/mfsgetgoal", "tools_demo"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "tools_demo: 2\n");
  EXPECT_EQ(r.err, "");
}

TEST(Dispatch, MfstoolsTakesTheToolAsFirstArgument) {
  ToolHarness h;
  RunResult r = h.Run({"./mfstools", "mfsgettrashtime", "tools_demo"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "tools_demo: 86400\n");
}

TEST(Dispatch, MfstoolsAloneListsTheTools) {
  ToolHarness h;
  RunResult r = h.Run({"mfstools"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  for (std::string_view name : ToolNames()) {
    EXPECT_NE(r.err.find(std::string("\t") + std::string(name) + "\n"), std::string::npos) << name;
  }
}

TEST(Dispatch, UnknownName) {
  ToolHarness h;
  RunResult r = h.Run({"mfsfrobnicate", "x"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err, "unknown binary name\n");
}

TEST(Dispatch, DeprecatedNamesWarnThenRunRecursively) {
  ToolHarness h;
  RunResult r = h.Run({"mfsrsettrashtime", "60", "tools_demo"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.err, "deprecated tool - use \"mfssettrashtime -r\"\n");
  EXPECT_EQ(r.out,
            "tools_demo:\n"
            " inodes with trashtime changed:              6\n"
            " inodes with trashtime not changed:          0\n"
            " inodes with permission denied:              0\n");
  r = h.Run({"mfsrgettrashtime", "tools_demo"});
  EXPECT_EQ(r.err, "deprecated tool - use \"mfsgettrashtime -r\"\n");
  r = h.Run({"mfsrsetgoal", "1", "tools_demo"});
  EXPECT_EQ(r.err, "deprecated tool - use \"mfssetgoal -r\"\n");
}

TEST(Dispatch, EveryInstalledNameIsKnown) {
  auto names = ToolNames();
  EXPECT_EQ(names.size(), 17u);
  for (const char* n :
       {"mfsgetgoal", "mfssetgoal", "mfscopygoal", "mfsrgetgoal", "mfsrsetgoal", "mfsgettrashtime",
        "mfssettrashtime", "mfscopytrashtime", "mfsrgettrashtime", "mfsrsettrashtime",
        "mfscheckfile", "mfsfileinfo", "mfsdirinfo", "mfsmakesnapshot", "mfsappendchunks",
        "mfsfilepaths", "mfsfilerepair"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
}

}  // namespace
}  // namespace elk::tools::testing
