#pragma once
// mfsmount -m: the meta file system of a meta session (export "."). Two layouts, so scripts
// written for either MooseFS generation work:
//
//   flat (default, MooseFS 1.6):   trash/%08X|path, trash/undel/, reserved/
//   buckets (-o mfstrashbuckets, MooseFS 3): trash/XXX/%08X|path (XXX: the inode's low 12
//       bits in hex, 4096 folders), trash/XXX/undel/ and trash/undel/, sustained/
//
// A path's '/' is written as '|'. Reading an item gives the deleted file's content; moving
// it into an undel/ folder restores it (CLTOMA_UNDELETE); unlinking it purges it
// (CLTOMA_PURGE). reserved/ (sustained/) lists files unlinked while still open.

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"

namespace elk::mount {

class MetaFuse {
 public:
  MetaFuse(client::MasterSession& session, client::ChunkIo& io, double timeout = 1.0,
           bool buckets = false)
      : session_(session), io_(io), timeout_(timeout), buckets_(buckets) {}

  static const fuse_lowlevel_ops& Ops();

  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Getattr(fuse_req_t req, fuse_ino_t ino);
  void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off);
  void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags);
  void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Statfs(fuse_req_t req, fuse_ino_t ino);

  static constexpr fuse_ino_t kTrash = 2, kUndel = 3, kReserved = 4;
  static constexpr uint32_t kBuckets = 4096;
  static constexpr fuse_ino_t kBucketBase = 0x1000;        // + bucket: trash/XXX
  static constexpr fuse_ino_t kBucketUndelBase = 0x2000;   // + bucket: trash/XXX/undel
  static constexpr fuse_ino_t kItemBase = 0x100000000ULL;  // + the master's inode

  // "%08X|path" with the path's '/' as '|' (a leading '/' dropped).
  static std::string ItemName(uint32_t inode, const std::string& path);
  static std::string BucketName(uint32_t bucket);  // "000" ... "FFF"

 private:
  struct Item {
    std::string name;
    uint32_t inode = 0;
  };
  // What a virtual folder is: which items it lists (trash or reserved, all or one bucket),
  // and whether items moved into it are restored.
  struct Folder {
    bool lists_items = false;
    protocol::DetachedKind kind = protocol::DetachedKind::kTrash;
    std::optional<uint32_t> bucket;
    bool undel = false;
  };
  std::optional<Folder> FolderOf(fuse_ino_t ino) const;
  Result<std::vector<Item>> List(const Folder& f);
  struct stat DirStat(fuse_ino_t ino) const;
  struct stat ItemStat(uint32_t inode);
  // The master inode of the item `name` listed in folder `parent`, or 0.
  uint32_t Find(fuse_ino_t parent, const char* name);
  fuse_ino_t ParentOf(fuse_ino_t dir) const;

  client::MasterSession& session_;
  client::ChunkIo& io_;
  double timeout_;
  bool buckets_;
};

}  // namespace elk::mount
