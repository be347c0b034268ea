// mfsfilerepair: the master takes each chunk of a file without a valid copy back to the
// newest older version a chunkserver holds, or makes it a hole; the tool prints the counts.

#include <fmt/format.h>

#include "mount/tools/backend.h"
#include "mount/tools/number_format.h"
#include "mount/tools/options.h"
#include "mount/tools/session.h"
#include "mount/tools/tools.h"
#include "mount/tools/usage.h"

namespace elk::tools {
namespace {

bool RepairOne(Session& session, const NumberFormat& nf, const std::string& path) {
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) return Failed(env, path, target.status());
  auto counts = target->backend->RepairFile(target->inode, env.creds);
  if (!counts.ok()) return Failed(env, path, counts.status());
  env.out << path << ":\n"
          << " chunks not changed: " << nf.Column(counts->not_changed, true, false) << "\n"
          << " chunks erased:      " << nf.Column(counts->erased, true, false) << "\n"
          << " chunks repaired:    " << nf.Column(counts->repaired, true, false) << "\n";
  return true;
}

}  // namespace

int FileRepairTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "nhHkmg");
  if (!parsed.ok()) return UsageError(env, ToolId::kFileRepair, parsed.status().message());
  if (parsed->operands.empty()) return UsageError(env, ToolId::kFileRepair);
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  for (char c : parsed->switches)
    nf.ApplySwitch(c);
  Session session(env);
  int rc = 0;
  for (const std::string& path : parsed->operands) {
    if (!RepairOne(session, nf, path)) rc = 1;
  }
  return rc;
}

}  // namespace elk::tools
