#pragma once
// Small text helpers shared by the config parsers: one logical line at a time, comments
// stripped, whitespace trimmed.

#include <cstddef>
#include <functional>
#include <string_view>

namespace elk::cfg {

std::string_view Trim(std::string_view s);

// Everything before the first '#': config files have no quoting, so '#' always starts a
// comment (a value that needs '#' cannot be written, as in MooseFS).
std::string_view StripComment(std::string_view line);

// Calls fn(line_number, content) for each line that is not blank once its comment is
// stripped and it is trimmed. Line numbers start at 1. Stops early when fn returns false.
void ForEachContentLine(std::string_view text,
                        const std::function<bool(size_t, std::string_view)>& fn);

}  // namespace elk::cfg
