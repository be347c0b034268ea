#pragma once
// mfsmount -m: the meta file system of a meta session (export "."). Two layouts, so scripts
// written for either MooseFS generation work:
//
//   flat (default, MooseFS 1.6):   trash/%08X|path, trash/undel/, reserved/
//   buckets (-o mfstrashbuckets, MooseFS 3): trash/XXX/%08X|path (XXX: the inode's low 12
//       bits in hex, 4096 folders), trash/XXX/undel/ and trash/undel/, sustained/
//
// Names, contents and their limits: meta_names.h. An item is found by the inode in its name
// (CLTOMA_DETACHED_ATTR, one request), never by listing its folder; a folder is listed once
// per opendir (CLTOMA_LIST_DETACHED) and served from that copy. Reading a trash item gives
// its restore path, writing it sets a new one (CLTOMA_SET_TRASH_PATH at flush); moving it
// into an undel/ folder restores it (CLTOMA_UNDELETE); unlinking it purges it
// (CLTOMA_PURGE). reserved/ (sustained/) lists files unlinked while still open; their
// items read as their paths too and cannot be written.

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mount/client/master_session.h"

namespace elk::mount {

class MetaFuse {
 public:
  // `timeout`: how long the kernel keeps attributes (mfsattrcacheto); `entry_timeout`: names
  // (mfsentrycacheto, as MooseFS's meta mount takes it). A name kept for a while saves a
  // second lookup when one command walks the same path twice (ls -l: statx, then getxattr).
  explicit MetaFuse(client::MasterSession& session, double timeout = 1.0, bool buckets = false,
                    double entry_timeout = 0.0)
      : session_(session), timeout_(timeout), entry_timeout_(entry_timeout), buckets_(buckets) {}

  static const fuse_lowlevel_ops& Ops();

  void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Getattr(fuse_req_t req, fuse_ino_t ino);
  void Setattr(fuse_req_t req, fuse_ino_t ino);
  void Opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void Releasedir(fuse_req_t req, fuse_file_info* fi);
  void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void Read(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi);
  void Write(fuse_req_t req, const char* buf, size_t size, off_t off, fuse_file_info* fi);
  void Flush(fuse_req_t req, fuse_file_info* fi);
  void Release(fuse_req_t req, fuse_file_info* fi);
  void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags);
  void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  void Statfs(fuse_req_t req, fuse_ino_t ino);

  static constexpr fuse_ino_t kTrash = 2, kUndel = 3, kReserved = 4;
  static constexpr uint32_t kBuckets = 4096;
  static constexpr fuse_ino_t kBucketBase = 0x1000;        // + bucket: trash/XXX
  static constexpr fuse_ino_t kBucketUndelBase = 0x2000;   // + bucket: trash/XXX/undel
  static constexpr fuse_ino_t kItemBase = 0x100000000ULL;  // + the master's inode: trash item
  static constexpr fuse_ino_t kReservedItemBase = 0x200000000ULL;  // + inode: reserved item

  static std::string BucketName(uint32_t bucket);  // "000" ... "FFF"

 private:
  // What a virtual folder is: which items it lists (trash or reserved, all or one bucket),
  // and whether items moved into it are restored.
  struct Folder {
    bool lists_items = false;
    protocol::DetachedKind kind = protocol::DetachedKind::kTrash;
    std::optional<uint32_t> bucket;
    bool undel = false;
  };
  struct Entry {
    std::string name;
    struct stat st;
  };
  std::optional<Folder> FolderOf(fuse_ino_t ino) const;
  fuse_ino_t ParentOf(fuse_ino_t dir) const;
  struct stat DirStat(fuse_ino_t ino) const;
  static struct stat ItemStat(fuse_ino_t ino, const protocol::Attr& a);
  // The master inode a name in folder `parent` stands for (0: none there), by the name alone.
  uint32_t ItemOf(fuse_ino_t parent, const char* name) const;
  Result<protocol::MatoclDetachedAttr> Item(fuse_ino_t ino);
  Result<std::vector<Entry>> Entries(fuse_ino_t ino, const Folder& f);

  client::MasterSession& session_;
  double timeout_;
  double entry_timeout_;
  bool buckets_;
};

}  // namespace elk::mount
