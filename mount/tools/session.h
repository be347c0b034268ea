#pragma once
// Turns the paths a tool is given into (backend, inode) pairs. One backend per mount is
// opened on first use and reused for the other paths of the same run.

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "mount/tools/backend.h"
#include "mount/tools/mount_locator.h"
#include "mount/tools/tool_env.h"

namespace elk::tools {

struct Target {
  ToolBackend* backend = nullptr;
  std::string mount_root;
  uint32_t inode = 0;
  NodeStat stat;
};

class Session {
 public:
  explicit Session(ToolEnv& env) : env_(env) {}

  // An existing object. The error's message is the reason to print after "<path>: ".
  Result<Target> Resolve(const std::string& path, bool follow = true);

  ToolEnv& env() { return env_; }

 private:
  Result<ToolBackend*> BackendFor(const Located& loc);

  ToolEnv& env_;
  std::map<std::string, std::unique_ptr<ToolBackend>> backends_;  // by mount root
};

// Prints "<path>: <reason>" on the error stream and returns false, so that a step that
// fails can end with `return Failed(env, path, status);`.
bool Failed(ToolEnv& env, std::string_view path, const Status& status);

}  // namespace elk::tools
