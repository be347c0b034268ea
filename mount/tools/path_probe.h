#pragma once
// The little of the local file system the tools need, behind an interface so tests can
// describe a mount without mounting one.

#include <cstdint>
#include <string>

#include "common/status.h"

namespace elk::tools {

struct NodeStat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // st_mode: type and permission bits
  uint64_t size = 0;
};

class PathProbe {
 public:
  virtual ~PathProbe() = default;
  // stat(2) (follows symlinks) or lstat(2).
  virtual Result<NodeStat> Stat(const std::string& path, bool follow) = 0;
  // The absolute path with symlinks, "." and ".." resolved (realpath(3)); must exist.
  virtual Result<std::string> Canonical(const std::string& path) = 0;
  // The whole content of a small file.
  virtual Result<std::string> ReadSmallFile(const std::string& path) = 0;
  // Creates an empty regular file if none exists (through the mount, so the master
  // creates the node).
  virtual Status CreateFile(const std::string& path) = 0;
};

// The real one: the calls of the same names.
class PosixPathProbe final : public PathProbe {
 public:
  Result<NodeStat> Stat(const std::string& path, bool follow) override;
  Result<std::string> Canonical(const std::string& path) override;
  Result<std::string> ReadSmallFile(const std::string& path) override;
  Status CreateFile(const std::string& path) override;
};

}  // namespace elk::tools
