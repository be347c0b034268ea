// mfsdirinfo: a subtree's counts and sizes as the master keeps them.

#include <fmt/format.h>

#include "mount/tools/number_format.h"
#include "mount/tools/options.h"
#include "mount/tools/session.h"
#include "mount/tools/tools.h"
#include "mount/tools/usage.h"

namespace elk::tools {
namespace {

struct Field {
  char show;               // the switch that selects it
  std::string_view label;  // in the full block
  bool bytes;
  uint64_t DirStats::*value;
  uint64_t Get(const DirStats& s) const { return s.*value; }
};

constexpr Field kFields[] = {
    {'i', " inodes:       ", false, &DirStats::inodes},
    {'d', "  directories: ", false, &DirStats::dirs},
    {'f', "  files:       ", false, &DirStats::files},
    {'c', " chunks:       ", false, &DirStats::chunks},
    {'l', " length:       ", true, &DirStats::length},
    {'s', " size:         ", true, &DirStats::size},
    {'r', " realsize:     ", true, &DirStats::realsize},
};

void PrintFull(ToolEnv& env, const NumberFormat& nf, const std::string& path,
               const DirStats& stats) {
  env.out << path << ":\n";
  for (const Field& f : kFields) {
    env.out << f.label << nf.Column(f.Get(stats), false, f.bytes) << "\n";
  }
}

// The selected values, tab-separated, then the name: handy in scripts.
void PrintSelected(ToolEnv& env, const NumberFormat& nf, const std::string& path,
                   const DirStats& stats, std::string_view show) {
  for (const Field& f : kFields) {
    if (show.find(f.show) != std::string_view::npos) {
      env.out << nf.Bare(f.Get(stats), f.bytes) << "\t";
    }
  }
  env.out << path << "\n";
}

}  // namespace

int DirInfoTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "nhHkmgidfclsr");
  if (!parsed.ok()) return UsageError(env, ToolId::kDirInfo, parsed.status().message());
  if (parsed->operands.empty()) return UsageError(env, ToolId::kDirInfo);
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  std::string show;
  for (char c : parsed->switches) {
    if (!nf.ApplySwitch(c)) show += c;
  }
  Session session(env);
  int rc = 0;
  for (const std::string& path : parsed->operands) {
    auto target = session.Resolve(path);
    auto stats = [&]() -> Result<DirStats> {
      if (!target.ok()) return target.status();
      ProgressLine line(env.progress_fd, WalkLabel(path), env.progress);
      return target->backend->DirInfo(target->inode);
    }();
    if (!stats.ok()) {
      Failed(env, path, stats.status());
      rc = 1;
    } else if (show.empty()) {
      PrintFull(env, nf, path, *stats);
    } else {
      PrintSelected(env, nf, path, *stats, show);
    }
  }
  return rc;
}

}  // namespace elk::tools
