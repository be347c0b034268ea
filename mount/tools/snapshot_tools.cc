// mfsmakesnapshot and mfsappendchunks: metadata-only copies; the master shares chunks.

#include <fmt/format.h>
#include <sys/stat.h>

#include "mount/tools/options.h"
#include "mount/tools/session.h"
#include "mount/tools/tools.h"
#include "mount/tools/usage.h"

namespace elk::tools {
namespace {

// Where a snapshot lands: a directory and a name in it.
struct Place {
  Target dir;
  std::string name;
};

Status NotSameDevice(const std::string& dst, const std::string& src) {
  return Status(Code::kCrossDevice,
                fmt::format("({},{}): both elements must be on the same device", dst, src));
}

// The name a source keeps inside a destination directory: realpath's base name, except
// that a symlink is snapshotted as itself.
Result<std::string> SourceName(PathProbe& probe, const std::string& src, const NodeStat& st) {
  if (S_ISLNK(st.mode)) return BaseName(src);
  auto canon = probe.Canonical(src);
  if (!canon.ok()) return canon.status();
  return BaseName(*canon);
}

// dst does not exist, or is not a directory: the snapshot becomes dst itself.
Result<Place> PlaceAsDestination(Session& session, const std::string& dst) {
  auto dir = session.Resolve(DirName(dst));
  if (!dir.ok()) return dir.status();
  return Place{*dir, BaseName(dst)};
}

// dst is a directory: "src" goes in as dst/<name of src>; "srcdir/" becomes dst itself.
Result<Place> PlaceInDirectory(Session& session, const Target& dst_dir, const std::string& dst,
                               const std::string& src, const NodeStat& src_stat) {
  if (S_ISDIR(src_stat.mode) && src.size() > 1 && src.back() == '/') {
    return PlaceAsDestination(session, dst);
  }
  auto name = SourceName(session.env().probe, src, src_stat);
  if (!name.ok()) return name.status();
  return Place{dst_dir, *name};
}

// Runs one source; prints its error with the path it concerns.
bool SnapshotSource(Session& session, const std::string& src, const std::string& dst,
                    const Result<Target>& dst_target, const SnapshotOptions& options) {
  ToolEnv& env = session.env();
  auto source = session.Resolve(src, /*follow=*/false);
  if (!source.ok()) return Failed(env, src, source.status());
  const bool into_dir = dst_target.ok() && S_ISDIR(dst_target->stat.mode);
  if (!into_dir && !dst.empty() && dst.back() == '/' && !S_ISDIR(source->stat.mode)) {
    env.err << fmt::format("directory {} does not exist\n", dst);
    return false;
  }
  auto place = into_dir ? PlaceInDirectory(session, *dst_target, dst, src, source->stat)
                        : PlaceAsDestination(session, dst);
  if (!place.ok()) return Failed(env, dst, place.status());
  if (source->mount_root != place->dir.mount_root) {
    env.err << NotSameDevice(dst, src).message() << "\n";
    return false;
  }
  Status st = [&] {
    ProgressLine line(env.progress_fd, WalkLabel(src), env.progress);
    return place->dir.backend->MakeSnapshot(source->inode, place->dir.inode, place->name, env.creds,
                                            options);
  }();
  if (!st.ok()) return Failed(env, fmt::format("{}->{}", src, dst), st);
  return true;
}

// Appends one source; prints its error with the path it concerns.
bool AppendSource(Session& session, const Target& dst, const std::string& dst_path,
                  const std::string& src) {
  ToolEnv& env = session.env();
  auto source = session.Resolve(src);
  if (!source.ok()) return Failed(env, src, source.status());
  if (!S_ISREG(source->stat.mode)) {
    return Failed(env, src, Status(Code::kInval, "not a file"));
  }
  if (source->mount_root != dst.mount_root) {
    env.err << NotSameDevice(dst_path, src).message() << "\n";
    return false;
  }
  Status st = dst.backend->AppendChunks(dst.inode, source->inode, env.creds);
  if (!st.ok()) return Failed(env, dst_path, st);
  return true;
}

}  // namespace

int MakeSnapshotTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "ocp");
  if (!parsed.ok()) return UsageError(env, ToolId::kMakeSnapshot, parsed.status().message());
  if (parsed->operands.size() < 2) return UsageError(env, ToolId::kMakeSnapshot);
  SnapshotOptions options{parsed->has('o'), parsed->has('c'), parsed->has('p')};
  const std::string& dst = parsed->operands.back();
  std::span<const std::string> srcs(parsed->operands.data(), parsed->operands.size() - 1);
  Session session(env);
  auto dst_target = session.Resolve(dst);
  if (!dst_target.ok() && dst_target.code() != Code::kNoEnt) {
    Failed(env, dst, dst_target.status());
    return 1;
  }
  if (srcs.size() > 1 && !(dst_target.ok() && S_ISDIR(dst_target->stat.mode))) {
    env.err << "can snapshot multiple elements only into existing directory\n";
    return 1;
  }
  int rc = 0;
  for (const std::string& src : srcs) {
    if (!SnapshotSource(session, src, dst, dst_target, options)) rc = 1;
  }
  return rc;
}

int AppendChunksTool(ToolEnv& env, ToolArgs args) {
  auto parsed = ParseSwitches(args, "");
  if (!parsed.ok()) return UsageError(env, ToolId::kAppendChunks, parsed.status().message());
  if (parsed->operands.size() < 2) return UsageError(env, ToolId::kAppendChunks);
  const std::string& dst_path = parsed->operands.front();
  if (!env.probe.Stat(dst_path, true).ok()) {
    Status created = env.probe.CreateFile(dst_path);
    if (!created.ok()) {
      Failed(env, dst_path, created);
      return 1;
    }
  }
  Session session(env);
  auto dst = session.Resolve(dst_path);
  if (!dst.ok()) {
    Failed(env, dst_path, dst.status());
    return 1;
  }
  if (!S_ISREG(dst->stat.mode)) {
    Failed(env, dst_path, Status(Code::kInval, "not a file"));
    return 1;
  }
  int rc = 0;
  for (size_t i = 1; i < parsed->operands.size(); ++i) {
    if (!AppendSource(session, *dst, dst_path, parsed->operands[i])) rc = 1;
  }
  return rc;
}

}  // namespace elk::tools
