// mfsfilepaths: every path of each given file, folder or node number, as MooseFS 3 prints
// them ("NAME:" and then one path a line, as the master gives them).

#include <charconv>
#include <string>

#include "mount/tools/options.h"
#include "mount/tools/session.h"
#include "mount/tools/tools.h"
#include "mount/tools/usage.h"

namespace elk::tools {
namespace {

// A name made of digits that names no file is a node number of the mount the current
// folder is in, as MooseFS's tool takes it.
std::optional<uint32_t> NodeNumber(ToolEnv& env, const std::string& name) {
  uint32_t inode = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), inode);
  if (name.empty() || ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  auto st = env.probe.Stat(name, true);
  if (st.ok() || st.code() != Code::kNoEnt) return std::nullopt;
  return inode;
}

bool PathsOne(Session& session, const std::string& name) {
  ToolEnv& env = session.env();
  const std::optional<uint32_t> number = NodeNumber(env, name);
  auto target = session.Resolve(number ? "." : name);
  if (!target.ok()) return Failed(env, name, target.status());
  auto paths = target->backend->Paths(number ? *number : target->inode);
  if (!paths.ok()) return Failed(env, name, paths.status());
  env.out << name << ":\n";
  for (const std::string& p : *paths)
    env.out << p << "\n";
  return true;
}

}  // namespace

int FilePathsTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "");
  if (!parsed.ok()) return UsageError(env, ToolId::kFilePaths, parsed.status().message());
  if (parsed->operands.empty()) return UsageError(env, ToolId::kFilePaths);
  Session session(env);
  int rc = 0;
  for (const std::string& name : parsed->operands) {
    if (!PathsOne(session, name)) rc = 1;
  }
  return rc;
}

}  // namespace elk::tools
