#pragma once
// mfsmount -m: the meta file system of a meta session (export "."). The root holds
// `trash/` (deleted files named `%08X|path`, the path's `/` written as `|`, plus the
// `undel/` folder) and `reserved/` (unlinked files still open). Moving a trash item into
// `trash/undel/` restores it (CLTOMA_UNDELETE); unlinking it purges it (CLTOMA_PURGE).

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mount/client/master_session.h"

namespace elk::mount {

class MetaFuse {
 public:
  explicit MetaFuse(client::MasterSession& session, double timeout = 1.0)
      : session_(session), timeout_(timeout) {}

  static const fuse_lowlevel_ops& Ops();

  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Getattr(fuse_req_t req, fuse_ino_t ino);
  void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags);
  void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Statfs(fuse_req_t req, fuse_ino_t ino);

  static constexpr fuse_ino_t kTrash = 2, kUndel = 3, kReserved = 4;
  static constexpr fuse_ino_t kItemBase = 0x100000000ULL;  // + the master's inode

  // "%08X|path" with the path's '/' as '|' (a leading '/' dropped).
  static std::string ItemName(uint32_t inode, const std::string& path);

 private:
  struct Item {
    std::string name;
    uint32_t inode = 0;
  };
  Result<std::vector<Item>> List(protocol::DetachedKind kind);
  struct stat DirStat(fuse_ino_t ino) const;
  struct stat ItemStat(uint32_t inode);
  // The master inode of a trash/reserved item named `name`, or 0.
  uint32_t Find(fuse_ino_t parent, const char* name);

  client::MasterSession& session_;
  double timeout_;
};

}  // namespace elk::mount
