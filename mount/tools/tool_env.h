#pragma once
// Everything a tool run touches outside itself, so a test can run a tool against a fake
// mount and read its output as strings.

#include <optional>
#include <ostream>
#include <string>

#include "mount/tools/backend.h"
#include "mount/tools/path_probe.h"
#include "mount/tools/progress_line.h"

namespace elk::tools {

struct ToolEnv {
  std::ostream& out;
  std::ostream& err;
  PathProbe& probe;
  BackendFactory factory;
  Credentials creds;
  std::optional<std::string> hrformat;  // MFSHRFORMAT, if set
  // Where the "still working" line of long recursive requests goes (stderr in the program);
  // -1: nowhere. Drawn only when it is a terminal.
  int progress_fd = -1;
  ProgressLineOptions progress{};
};

}  // namespace elk::tools
