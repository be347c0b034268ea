#include "mount/tools/mount_locator.h"

#include <fmt/format.h>
#include <sys/stat.h>

namespace elk::tools {
namespace {

std::string_view TrimTrailingSlashes(std::string_view p) {
  while (p.size() > 1 && p.back() == '/')
    p.remove_suffix(1);
  return p;
}

// Walks up from a canonical directory while the device stays the same.
std::string FindMountRoot(PathProbe& probe, std::string dir, uint64_t dev) {
  while (dir != "/") {
    std::string parent = DirName(dir);
    auto st = probe.Stat(parent, true);
    if (!st.ok() || st->dev != dev) break;
    dir = std::move(parent);
  }
  return dir;
}

std::string Join(const std::string& dir, std::string_view name) {
  return dir == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", dir, name);
}

}  // namespace

std::string DirName(std::string_view path) {
  path = TrimTrailingSlashes(path);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  std::string_view dir = TrimTrailingSlashes(path.substr(0, slash));
  return dir.empty() ? "/" : std::string(dir);
}

std::string BaseName(std::string_view path) {
  path = TrimTrailingSlashes(path);
  if (path == "/") return "/";
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Result<Located> LocateObject(PathProbe& probe, const std::string& path, bool follow) {
  auto st = probe.Stat(path, follow);
  if (!st.ok()) return st.status();
  // A symlink looked at itself lives in its parent's directory.
  bool self_is_dir = S_ISDIR(st->mode);
  auto dir = probe.Canonical(self_is_dir ? path : DirName(path));
  if (!dir.ok()) return dir.status();
  Located loc;
  loc.stat = *st;
  loc.mount_root = FindMountRoot(probe, *dir, st->dev);
  auto text = probe.ReadSmallFile(Join(loc.mount_root, kMasterInfoName));
  if (!text.ok()) return Status(Code::kNotFound, std::string(kNotElkFs));
  auto info = ParseMasterInfo(*text);
  if (!info.ok()) {
    return Status(Code::kCorruption, fmt::format("{} ({})", kNotElkFs, info.status().message()));
  }
  loc.info = std::move(*info);
  return loc;
}

}  // namespace elk::tools
