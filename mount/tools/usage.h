#pragma once
// The usage texts, worded as MooseFS's so its users find what they know.

#include <string_view>

#include "mount/tools/tool_env.h"

namespace elk::tools {

enum class ToolId {
  kGetGoal,
  kSetGoal,
  kCopyGoal,
  kGetTrashTime,
  kSetTrashTime,
  kCopyTrashTime,
  kCheckFile,
  kFileInfo,
  kDirInfo,
  kMakeSnapshot,
  kAppendChunks,
  kFilePaths,
  kFileRepair,
};

std::string_view UsageText(ToolId id);

// Prints `problem` (if any) and the usage text on env.err; returns the exit code 1.
int UsageError(ToolEnv& env, ToolId id, std::string_view problem = {});

}  // namespace elk::tools
