#pragma once
// The tools, one function each: argv after the program name in, exit code out (0 ok, 1 if
// any path failed or the usage was wrong). Output goes to env.out, errors to env.err.

#include <span>
#include <string>

#include "mount/tools/tool_env.h"

namespace elk::tools {

using ToolArgs = std::span<const std::string>;

// `recursive` forces -r, for the deprecated mfsr* names.
int GetGoalTool(ToolEnv& env, ToolArgs args, bool recursive = false);
int SetGoalTool(ToolEnv& env, ToolArgs args, bool recursive = false);
int GetTrashTimeTool(ToolEnv& env, ToolArgs args, bool recursive = false);
int SetTrashTimeTool(ToolEnv& env, ToolArgs args, bool recursive = false);
// SOURCE DESTINATION...: SOURCE's goal / trashtime set on each destination (-r: on its tree).
int CopyGoalTool(ToolEnv& env, ToolArgs args);
int CopyTrashTimeTool(ToolEnv& env, ToolArgs args);
int CheckFileTool(ToolEnv& env, ToolArgs args);
int FileInfoTool(ToolEnv& env, ToolArgs args);
int DirInfoTool(ToolEnv& env, ToolArgs args);
int MakeSnapshotTool(ToolEnv& env, ToolArgs args);
int AppendChunksTool(ToolEnv& env, ToolArgs args);
int FilePathsTool(ToolEnv& env, ToolArgs args);
int FileRepairTool(ToolEnv& env, ToolArgs args);

}  // namespace elk::tools
