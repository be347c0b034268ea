#pragma once
// One program, many names: mfstools runs the tool its argv[0] names (mfsgetgoal, ...), or
// the one named by its first argument ("mfstools mfsgetgoal f").

#include <span>
#include <string>
#include <string_view>

#include "mount/tools/tools.h"

namespace elk::tools {

// Every name the program answers to, for the installed symlinks and the help text.
std::span<const std::string_view> ToolNames();

// Runs the tool called `name` (a base name) with the arguments after the program name.
// An unknown name prints "unknown binary name" and returns 1.
int RunTool(ToolEnv& env, std::string_view name, ToolArgs args);

// The whole argv, argv[0] included.
int MultiCallMain(ToolEnv& env, std::span<const std::string> argv);

}  // namespace elk::tools
