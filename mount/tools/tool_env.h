#pragma once
// Everything a tool run touches outside itself, so a test can run a tool against a fake
// mount and read its output as strings.

#include <optional>
#include <ostream>
#include <string>

#include "mount/tools/backend.h"
#include "mount/tools/path_probe.h"

namespace elk::tools {

struct ToolEnv {
  std::ostream& out;
  std::ostream& err;
  PathProbe& probe;
  BackendFactory factory;
  Credentials creds;
  std::optional<std::string> hrformat;  // MFSHRFORMAT, if set
};

}  // namespace elk::tools
