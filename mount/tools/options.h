#pragma once
// Command-line pieces shared by the tools: getopt-style switches, and the GOAL[-|+] and
// SECONDS[-|+] arguments.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mount/tools/backend.h"

namespace elk::tools {

struct ParsedArgs {
  std::string switches;               // letters in the order given, e.g. "rh"
  std::vector<std::string> operands;  // everything from the first non-switch on
  bool has(char c) const { return switches.find(c) != std::string::npos; }
};

// POSIX rules: switches may be grouped ("-rh"), end at "--" or at the first word that does
// not start with '-' (so "mfssetgoal 3 -x" has operands "3", "-x"). A letter not in
// `allowed` is kInval with getopt's message "invalid option -- 'x'".
Result<ParsedArgs> ParseSwitches(std::span<const std::string> args, std::string_view allowed);

struct GoalArg {
  uint8_t goal = 0;
  SetMode mode = SetMode::kSet;
};
// "1".."9", optionally followed by '+' (increase only) or '-' (decrease only).
Result<GoalArg> ParseGoal(std::string_view text);

struct TrashTimeArg {
  uint32_t seconds = 0;
  SetMode mode = SetMode::kSet;
};
// A period: a number, optionally with a fraction and a unit (s, m, h, d, w), optionally
// followed by '+' or '-': "3600", "1.5h", "7d+". Saturates at UINT32_MAX.
Result<TrashTimeArg> ParseTrashTime(std::string_view text);

}  // namespace elk::tools
