#pragma once
// Reads a whole (small) config file into memory.

#include <string>

#include "common/status.h"

namespace elk::cfg {

// The file's bytes; kNoEnt when it does not exist, another code for other failures. The
// message names the path.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace elk::cfg
