#include "mount/tools/session.h"

#include <fmt/format.h>

#include <cstring>
#include <limits>

namespace elk::tools {
namespace {

constexpr uint64_t kFuseRootInode = 1;

// Statuses from the backend carry the master's reason in the message when it has one;
// otherwise the errno text of the code reads as MooseFS's messages do.
std::string Reason(const Status& status) {
  if (!status.message().empty()) return status.message();
  return std::strerror(status.to_errno());
}

}  // namespace

bool Failed(ToolEnv& env, std::string_view path, const Status& status) {
  env.err << fmt::format("{}: {}\n", path, Reason(status));
  return false;
}

Result<Target> Session::Resolve(const std::string& path, bool follow) {
  auto loc = LocateObject(env_.probe, path, follow);
  if (!loc.ok()) return loc.status();
  if (loc->stat.ino > std::numeric_limits<uint32_t>::max()) {
    return Status(Code::kNotFound, std::string(kNotElkFs));
  }
  auto backend = BackendFor(*loc);
  if (!backend.ok()) return backend.status();
  // FUSE shows the mount root as inode 1 whatever it is on the master (mfsmount -S).
  uint32_t inode =
      loc->stat.ino == kFuseRootInode ? loc->info.root_inode : static_cast<uint32_t>(loc->stat.ino);
  return Target{*backend, loc->mount_root, inode, loc->stat};
}

Result<ToolBackend*> Session::BackendFor(const Located& loc) {
  auto it = backends_.find(loc.mount_root);
  if (it != backends_.end()) return it->second.get();
  if (!env_.factory) return Status(Code::kNotSupported, "no connection to the master");
  auto opened = env_.factory(loc.info);
  if (!opened.ok()) {
    return Status(opened.code(), fmt::format("can't connect to master ({}:{}): {}", loc.info.host,
                                             loc.info.port, Reason(opened.status())));
  }
  ToolBackend* raw = opened->get();
  backends_.emplace(loc.mount_root, std::move(*opened));
  return raw;
}

}  // namespace elk::tools
