#pragma once
// Finds which ElkFS mount a path lives on: the mount root is the highest ancestor on the
// same device, and its `.masterinfo` names the master and the session.

#include <string>

#include "common/status.h"
#include "mount/tools/masterinfo.h"
#include "mount/tools/path_probe.h"

namespace elk::tools {

inline constexpr std::string_view kMasterInfoName = ".masterinfo";
inline constexpr std::string_view kNotElkFs = "not an ElkFS object";

struct Located {
  std::string mount_root;  // canonical path of the mount point
  MasterInfo info;
  NodeStat stat;  // of the object itself; stat.ino is its inode
};

// `path` must exist. follow=false looks at a symlink itself (lstat). Errors carry the
// reason alone in their message ("No such file or directory", "not an ElkFS object").
Result<Located> LocateObject(PathProbe& probe, const std::string& path, bool follow = true);

// "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/"; trailing slashes are ignored.
std::string DirName(std::string_view path);
// "a/b/c/" -> "c", "/" -> "/".
std::string BaseName(std::string_view path);

}  // namespace elk::tools
