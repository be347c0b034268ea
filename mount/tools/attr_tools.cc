// mfsgetgoal, mfssetgoal, mfscopygoal, mfsgettrashtime, mfssettrashtime, mfscopytrashtime: one
// shape, two attributes. The per-attribute wording, column widths and requests live in an
// AttrKind; a copy is a get of the source followed by a set of each destination.

#include <fmt/format.h>

#include <optional>
#include <span>
#include <string>

#include "mount/tools/number_format.h"
#include "mount/tools/options.h"
#include "mount/tools/session.h"
#include "mount/tools/tools.h"
#include "mount/tools/usage.h"

namespace elk::tools {
namespace {

struct AttrKind {
  ToolId get_id;
  ToolId set_id;
  ToolId copy_id;
  std::string_view value_format;  // one recursive line's label and value
  std::string_view set_format;    // a non-recursive set's line after "<path>: "; {} the value
  std::string_view files_label;
  std::string_view dirs_label;
  std::string_view changed_label;  // recursive set: the three counters
  std::string_view not_changed_label;
  std::string_view denied_label;
  std::string_view not_changed_single;  // non-recursive set that changed nothing
  Result<uint32_t> (*get)(ToolBackend&, uint32_t inode);
  Result<ValueStats> (*get_recursive)(ToolBackend&, uint32_t inode);
  Result<SetCounts> (*set)(ToolBackend&, uint32_t inode, uint32_t uid, uint32_t value, SetMode mode,
                           bool recursive);
};

const AttrKind kGoal{
    ToolId::kGetGoal,
    ToolId::kSetGoal,
    ToolId::kCopyGoal,
    "{} {}",
    "goal: {}",
    " files with goal               ",
    " directories with goal         ",
    " inodes with goal changed:              ",
    " inodes with goal not changed:          ",
    " inodes with permission denied:         ",
    "goal not changed",
    [](ToolBackend& b, uint32_t inode) -> Result<uint32_t> {
      auto goal = b.GetGoal(inode);
      if (!goal.ok()) return goal.status();
      return uint32_t{*goal};
    },
    [](ToolBackend& b, uint32_t inode) { return b.GetGoalRecursive(inode); },
    [](ToolBackend& b, uint32_t inode, uint32_t uid, uint32_t value, SetMode mode, bool rec) {
      return b.SetGoal(inode, uid, static_cast<uint8_t>(value), mode, rec);
    },
};

const AttrKind kTrashTime{
    ToolId::kGetTrashTime,
    ToolId::kSetTrashTime,
    ToolId::kCopyTrashTime,
    "{}{:>10}",
    "{}",
    " files with trashtime        ",
    " directories with trashtime  ",
    " inodes with trashtime changed:     ",
    " inodes with trashtime not changed: ",
    " inodes with permission denied:     ",
    "trashtime not changed",
    [](ToolBackend& b, uint32_t inode) { return b.GetTrashTime(inode); },
    [](ToolBackend& b, uint32_t inode) { return b.GetTrashTimeRecursive(inode); },
    [](ToolBackend& b, uint32_t inode, uint32_t uid, uint32_t value, SetMode mode, bool rec) {
      return b.SetTrashTime(inode, uid, value, mode, rec);
    },
};

void PrintValueLines(ToolEnv& env, const AttrKind& kind, const NumberFormat& nf,
                     std::string_view label, const std::vector<ValueCount>& lines) {
  for (const ValueCount& vc : lines) {
    env.out << fmt::format(fmt::runtime(kind.value_format), label, vc.value) << " : "
            << nf.Column(vc.count, true, false) << "\n";
  }
}

// A path's value, printed "<path>: <value>" as mfsget* prints it; nullopt once the failure is
// reported.
std::optional<uint32_t> GetSingle(Session& session, const AttrKind& kind, const std::string& path) {
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) {
    Failed(env, path, target.status());
    return std::nullopt;
  }
  auto value = kind.get(*target->backend, target->inode);
  if (!value.ok()) {
    Failed(env, path, value.status());
    return std::nullopt;
  }
  env.out << fmt::format("{}: {}\n", path, *value);
  return *value;
}

// One path of a get; false when it failed (already reported).
bool GetOne(Session& session, const AttrKind& kind, const NumberFormat& nf, const std::string& path,
            bool recursive) {
  if (!recursive) return GetSingle(session, kind, path).has_value();
  ToolEnv& env = session.env();
  auto target = session.Resolve(path);
  if (!target.ok()) return Failed(env, path, target.status());
  auto stats = [&] {
    ProgressLine line(env.progress_fd, WalkLabel(path), env.progress);
    return kind.get_recursive(*target->backend, target->inode);
  }();
  if (!stats.ok()) return Failed(env, path, stats.status());
  env.out << path << ":\n";
  PrintValueLines(env, kind, nf, kind.files_label, stats->files);
  PrintValueLines(env, kind, nf, kind.dirs_label, stats->dirs);
  return true;
}

// Parses the switches shared by all six tools; nullopt after printing the usage.
std::optional<ParsedArgs> ParseCommon(ToolEnv& env, ToolId id, ToolArgs args, NumberFormat* nf) {
  auto parsed = ParseSwitches(args, "rnhHkmg");
  if (!parsed.ok()) {
    UsageError(env, id, parsed.status().message());
    return std::nullopt;
  }
  for (char c : parsed->switches)
    nf->ApplySwitch(c);
  return std::move(*parsed);
}

int GetTool(ToolEnv& env, const AttrKind& kind, ToolArgs args, bool recursive) {
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  auto parsed = ParseCommon(env, kind.get_id, args, &nf);
  if (!parsed) return 1;
  if (parsed->operands.empty()) return UsageError(env, kind.get_id);
  recursive = recursive || parsed->has('r');
  Session session(env);
  int rc = 0;
  for (const std::string& path : parsed->operands) {
    if (!GetOne(session, kind, nf, path, recursive)) rc = 1;
  }
  return rc;
}

struct SetRequest {
  uint32_t value = 0;
  SetMode mode = SetMode::kSet;
  bool recursive = false;
};

void PrintSetResult(ToolEnv& env, const AttrKind& kind, const NumberFormat& nf,
                    const std::string& path, const SetRequest& req, const SetCounts& counts) {
  if (!req.recursive) {
    bool show_value = counts.changed > 0 || req.mode == SetMode::kSet;
    env.out << path << ": "
            << (show_value ? fmt::format(fmt::runtime(kind.set_format), req.value)
                           : std::string(kind.not_changed_single))
            << "\n";
    return;
  }
  env.out << path << ":\n"
          << kind.changed_label << nf.Column(counts.changed, true, false) << "\n"
          << kind.not_changed_label << nf.Column(counts.not_changed, true, false) << "\n"
          << kind.denied_label << nf.Column(counts.not_permitted, true, false) << "\n";
}

// Sets each path in turn; a path that fails is reported and the others go on. 1 if any failed.
int SetPaths(Session& session, const AttrKind& kind, const SetRequest& req, const NumberFormat& nf,
             std::span<const std::string> paths) {
  ToolEnv& env = session.env();
  int rc = 0;
  for (const std::string& path : paths) {
    auto target = session.Resolve(path);
    if (!target.ok()) {
      Failed(env, path, target.status());
      rc = 1;
      continue;
    }
    auto counts = [&] {
      // Only a recursive request can take long enough to show the line.
      ProgressLine line(req.recursive ? env.progress_fd : -1, WalkLabel(path), env.progress);
      return kind.set(*target->backend, target->inode, env.creds.uid, req.value, req.mode,
                      req.recursive);
    }();
    if (!counts.ok()) {
      Failed(env, path, counts.status());
      rc = 1;
      continue;
    }
    PrintSetResult(env, kind, nf, path, req, *counts);
  }
  return rc;
}

int SetTool(ToolEnv& env, const AttrKind& kind, const SetRequest& req, const NumberFormat& nf,
            std::span<const std::string> paths) {
  if (paths.empty()) return UsageError(env, kind.set_id);
  Session session(env);
  return SetPaths(session, kind, req, nf, paths);
}

// SOURCE's value, printed as mfsget* prints it, then set (never "+" or "-") on each
// destination, as MooseFS 3 does: nothing is set when SOURCE cannot be read.
int CopyTool(ToolEnv& env, const AttrKind& kind, ToolArgs args) {
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  auto parsed = ParseCommon(env, kind.copy_id, args, &nf);
  if (!parsed) return 1;
  if (parsed->operands.size() < 2) return UsageError(env, kind.copy_id);
  Session session(env);
  auto value = GetSingle(session, kind, parsed->operands.front());
  if (!value) return 1;
  SetRequest req{*value, SetMode::kSet, parsed->has('r')};
  return SetPaths(session, kind, req, nf, std::span(parsed->operands).subspan(1));
}

}  // namespace

int GetGoalTool(ToolEnv& env, ToolArgs args, bool recursive) {
  return GetTool(env, kGoal, args, recursive);
}

int GetTrashTimeTool(ToolEnv& env, ToolArgs args, bool recursive) {
  return GetTool(env, kTrashTime, args, recursive);
}

int SetGoalTool(ToolEnv& env, ToolArgs args, bool recursive) {
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  auto parsed = ParseCommon(env, ToolId::kSetGoal, args, &nf);
  if (!parsed) return 1;
  if (parsed->operands.empty()) return UsageError(env, ToolId::kSetGoal);
  auto goal = ParseGoal(parsed->operands.front());
  if (!goal.ok()) {
    return UsageError(env, ToolId::kSetGoal,
                      fmt::format("{}: {}", parsed->operands.front(), goal.status().message()));
  }
  SetRequest req{goal->goal, goal->mode, recursive || parsed->has('r')};
  return SetTool(env, kGoal, req, nf, std::span(parsed->operands).subspan(1));
}

int SetTrashTimeTool(ToolEnv& env, ToolArgs args, bool recursive) {
  NumberFormat nf = NumberFormat::FromEnv(env.hrformat);
  auto parsed = ParseCommon(env, ToolId::kSetTrashTime, args, &nf);
  if (!parsed) return 1;
  if (parsed->operands.empty()) return UsageError(env, ToolId::kSetTrashTime);
  auto time = ParseTrashTime(parsed->operands.front());
  if (!time.ok()) return UsageError(env, ToolId::kSetTrashTime, time.status().message());
  SetRequest req{time->seconds, time->mode, recursive || parsed->has('r')};
  return SetTool(env, kTrashTime, req, nf, std::span(parsed->operands).subspan(1));
}

int CopyGoalTool(ToolEnv& env, ToolArgs args) {
  return CopyTool(env, kGoal, args);
}

int CopyTrashTimeTool(ToolEnv& env, ToolArgs args) {
  return CopyTool(env, kTrashTime, args);
}

}  // namespace elk::tools
