// Extended attributes through the mount: each call is one request to the master, which
// keeps them with the node (and logs them like any change) - except the kernel's question
// for security.capability before each write, answered from capability_cache.h while fresh. Sizes
// follow the kernel's protocol: size 0 asks how big the answer is, a too-small buffer gets ERANGE.

#include <sys/xattr.h>

#include <cerrno>
#include <cstring>

#include "mount/fuse/elk_fuse.h"

namespace elk::mount {

namespace proto = protocol;

namespace {

constexpr size_t kMaxName = 255;
constexpr size_t kMaxValue = 65536;

void ReplySized(fuse_req_t req, const std::string& bytes, size_t size) {
  if (size == 0) return (void)fuse_reply_xattr(req, bytes.size());
  if (bytes.size() > size) return (void)fuse_reply_err(req, ERANGE);
  fuse_reply_buf(req, bytes.data(), bytes.size());
}

}  // namespace

void ElkFuse::Getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, ENODATA);
  if (std::strlen(name) > kMaxName) return (void)fuse_reply_err(req, ERANGE);
  const uint32_t inode = ToMaster(ino);
  const auto now = CapabilityCache::Clock::now();
  if (capabilities_.KnownAbsent(inode, name, now)) return (void)fuse_reply_err(req, ENODATA);
  const uint64_t ticket = capabilities_.Ask();
  auto r =
      session_.Call<proto::MatoclGetxattr>(proto::CltomaGetxattr{0, inode, name, CredsOf(req)});
  if (!r.ok() && r.status().to_errno() == ENODATA)
    capabilities_.NoteAbsent(inode, name, now, ticket);
  if (!r.ok()) return (void)fuse_reply_err(req, r.status().to_errno());
  ReplySized(req, r->value, size);
}

void ElkFuse::Setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value,
                       size_t size, int flags) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EPERM);
  if (std::strlen(name) > kMaxName) return (void)fuse_reply_err(req, ERANGE);
  if (size > kMaxValue) return (void)fuse_reply_err(req, E2BIG);
  const auto mode = (flags & XATTR_CREATE)    ? proto::XattrMode::kCreate
                    : (flags & XATTR_REPLACE) ? proto::XattrMode::kReplace
                                              : proto::XattrMode::kAny;
  Status s = session_.Do(
      proto::CltomaSetxattr{0, ToMaster(ino), name, std::string(value, size), mode, CredsOf(req)},
      false);
  capabilities_.Forget(ToMaster(ino));  // after the change: no answer from before it stays
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

void ElkFuse::Listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  if (ino == kMasterInfoIno) return ReplySized(req, {}, size);
  auto r =
      session_.Call<proto::MatoclListxattr>(proto::CltomaListxattr{0, ToMaster(ino), CredsOf(req)});
  if (!r.ok()) return (void)fuse_reply_err(req, r.status().to_errno());
  std::string list;
  for (const std::string& n : r->names) {
    list += n;
    list.push_back('\0');
  }
  ReplySized(req, list, size);
}

void ElkFuse::Removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  if (ino == kMasterInfoIno) return (void)fuse_reply_err(req, EPERM);
  Status s = session_.Do(proto::CltomaRemovexattr{0, ToMaster(ino), name, CredsOf(req)}, false);
  capabilities_.Forget(ToMaster(ino));
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

}  // namespace elk::mount
