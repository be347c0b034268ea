#include "mount/tools/options.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace elk::tools {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

SetMode ModeFromSuffix(char c) {
  if (c == '+') return SetMode::kIncrease;
  if (c == '-') return SetMode::kDecrease;
  return SetMode::kSet;
}

// Seconds in one unit letter; 0 for a letter that is no unit.
double UnitSeconds(char c) {
  switch (c) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return 604800;
    default:
      return 0;
  }
}

}  // namespace

Result<ParsedArgs> ParseSwitches(std::span<const std::string> args, std::string_view allowed) {
  ParsedArgs parsed;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    for (char c : std::string_view(a).substr(1)) {
      if (allowed.find(c) == std::string_view::npos) {
        return Status(Code::kInval, fmt::format("invalid option -- '{}'", c));
      }
      parsed.switches += c;
    }
  }
  parsed.operands.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return parsed;
}

Result<GoalArg> ParseGoal(std::string_view text) {
  bool ok = !text.empty() && text[0] >= '1' && text[0] <= '9' &&
            (text.size() == 1 || (text.size() == 2 && (text[1] == '+' || text[1] == '-')));
  if (!ok) return Status(Code::kInval, "wrong goal definition");
  return GoalArg{static_cast<uint8_t>(text[0] - '0'),
                 ModeFromSuffix(text.size() == 2 ? text[1] : '\0')};
}

Result<TrashTimeArg> ParseTrashTime(std::string_view text) {
  const Status bad(Code::kInval,
                   "trashtime should be given as number of seconds optionally followed by "
                   "'-' or '+'");
  size_t i = 0;
  double value = 0;
  while (i < text.size() && IsDigit(text[i]))
    value = value * 10 + (text[i++] - '0');
  if (i == 0) return bad;
  if (i < text.size() && text[i] == '.') {
    double scale = 0.1;
    for (++i; i < text.size() && IsDigit(text[i]); ++i, scale /= 10) {
      value += (text[i] - '0') * scale;
    }
  }
  while (i < text.size() && text[i] == ' ')
    ++i;
  if (i < text.size() && UnitSeconds(text[i]) > 0) value *= UnitSeconds(text[i++]);
  while (i < text.size() && text[i] == ' ')
    ++i;
  TrashTimeArg arg;
  if (i < text.size()) {
    if (i + 1 != text.size() || (text[i] != '+' && text[i] != '-')) return bad;
    arg.mode = ModeFromSuffix(text[i]);
  }
  constexpr double kMax = std::numeric_limits<uint32_t>::max();
  arg.seconds = value >= kMax ? std::numeric_limits<uint32_t>::max() : static_cast<uint32_t>(value);
  return arg;
}

}  // namespace elk::tools
