#include "mount/tools/dispatch.h"

#include <array>

#include "mount/tools/mount_locator.h"

namespace elk::tools {
namespace {

struct Entry {
  std::string_view name;
  int (*run)(ToolEnv&, ToolArgs);
};

// The deprecated mfsr* names say so, then run the -r form.
template <int (*kTool)(ToolEnv&, ToolArgs, bool)>
int Plain(ToolEnv& env, ToolArgs args) {
  return kTool(env, args, false);
}

template <int (*kTool)(ToolEnv&, ToolArgs, bool)>
int Deprecated(ToolEnv& env, ToolArgs args, std::string_view modern) {
  env.err << "deprecated tool - use \"" << modern << " -r\"\n";
  return kTool(env, args, true);
}

constexpr std::array kEntries = {
    Entry{"mfsgetgoal", Plain<GetGoalTool>},
    Entry{"mfssetgoal", Plain<SetGoalTool>},
    Entry{"mfscopygoal", CopyGoalTool},
    Entry{"mfsrgetgoal",
          [](ToolEnv& e, ToolArgs a) { return Deprecated<GetGoalTool>(e, a, "mfsgetgoal"); }},
    Entry{"mfsrsetgoal",
          [](ToolEnv& e, ToolArgs a) { return Deprecated<SetGoalTool>(e, a, "mfssetgoal"); }},
    Entry{"mfsgettrashtime", Plain<GetTrashTimeTool>},
    Entry{"mfssettrashtime", Plain<SetTrashTimeTool>},
    Entry{"mfscopytrashtime", CopyTrashTimeTool},
    Entry{"mfsrgettrashtime",
          [](ToolEnv& e, ToolArgs a) {
            return Deprecated<GetTrashTimeTool>(e, a, "mfsgettrashtime");
          }},
    Entry{"mfsrsettrashtime",
          [](ToolEnv& e, ToolArgs a) {
            return Deprecated<SetTrashTimeTool>(e, a, "mfssettrashtime");
          }},
    Entry{"mfscheckfile", CheckFileTool},
    Entry{"mfsfileinfo", FileInfoTool},
    Entry{"mfsdirinfo", DirInfoTool},
    Entry{"mfsmakesnapshot", MakeSnapshotTool},
    Entry{"mfsappendchunks", AppendChunksTool},
    Entry{"mfsfilepaths", FilePathsTool},
    Entry{"mfsfilerepair", FileRepairTool},
};

constexpr auto kNames = [] {
  std::array<std::string_view, kEntries.size()> names{};
  for (size_t i = 0; i < kEntries.size(); ++i)
    names[i] = kEntries[i].name;
  return names;
}();

int MultiToolUsage(ToolEnv& env) {
  env.err << "mfs multi tool\n\nusage:\n"
          << "\tmfstools mfs<toolname> ... - work as a given tool\n\ntools:\n";
  for (std::string_view name : kNames)
    env.err << "\t" << name << "\n";
  return 1;
}

}  // namespace

std::span<const std::string_view> ToolNames() {
  return kNames;
}

int RunTool(ToolEnv& env, std::string_view name, ToolArgs args) {
  for (const Entry& e : kEntries) {
    if (e.name == name) return e.run(env, args);
  }
  env.err << "unknown binary name\n";
  return 1;
}

int MultiCallMain(ToolEnv& env, std::span<const std::string> argv) {
  if (argv.empty()) return MultiToolUsage(env);
  std::string name = BaseName(argv[0]);
  if (name == "mfstools") {
    if (argv.size() < 2) return MultiToolUsage(env);
    return RunTool(env, BaseName(argv[1]), argv.subspan(2));
  }
  return RunTool(env, name, argv.subspan(1));
}

}  // namespace elk::tools
