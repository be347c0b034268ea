// Folder listings and statfs through the mount. A listing is read whole from the master at
// opendir (one request) and served from the handle by readdir, so a folder read in several
// readdir calls is one consistent picture.

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <memory>

#include "mount/fuse/elk_fuse.h"

namespace elk::mount {

namespace {

void ReplyStatus(fuse_req_t req, const Status& s) {
  fuse_reply_err(req, s.ok() ? 0 : s.to_errno());
}

}  // namespace

void ElkFuse::Opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto list = session_.Readdir(ToMaster(ino), CredsOf(req));
  if (!list.ok()) return ReplyStatus(req, list.status());
  auto d = std::make_unique<DirHandle>();
  bool has_dot = false, has_dotdot = false;
  for (const auto& e : *list) {
    if (e.name == ".") has_dot = true;
    if (e.name == "..") has_dotdot = true;
  }
  if (!has_dot) {
    struct stat st {};
    st.st_ino = ino;
    st.st_mode = S_IFDIR;
    d->entries.emplace_back(".", st);
  }
  if (!has_dotdot) {
    struct stat st {};
    st.st_ino = FUSE_ROOT_ID;
    st.st_mode = S_IFDIR;
    d->entries.emplace_back("..", st);
  }
  for (const auto& e : *list) {
    if (ino == FUSE_ROOT_ID && e.name == kMasterInfoName) continue;
    d->entries.emplace_back(e.name, ToStat(e.attr));
  }
  fi->fh = reinterpret_cast<uint64_t>(d.get());
  if (fuse_reply_open(req, fi) == 0) (void)d.release();  // owned through fh until Releasedir
}

void ElkFuse::Readdir(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off,
                      fuse_file_info* fi) {
  auto* d = reinterpret_cast<DirHandle*>(fi->fh);
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = static_cast<size_t>(off); i < d->entries.size(); ++i) {
    const auto& [name, st] = d->entries[i];
    size_t need = fuse_add_direntry(req, buf.data() + used, size - used, name.c_str(), &st,
                                    static_cast<off_t>(i + 1));
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void ElkFuse::Releasedir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
  std::unique_ptr<DirHandle> owned(reinterpret_cast<DirHandle*>(fi->fh));
  fuse_reply_err(req, 0);
}

void ElkFuse::Statfs(fuse_req_t req, fuse_ino_t /*ino*/) {
  auto s = session_.Statfs();
  if (!s.ok()) return ReplyStatus(req, s.status());
  struct statvfs v {};
  v.f_bsize = elk::kBlockSize;
  v.f_frsize = elk::kBlockSize;
  v.f_blocks = s->total_space / elk::kBlockSize;
  v.f_bfree = s->avail_space / elk::kBlockSize;
  v.f_bavail = v.f_bfree;
  v.f_files = s->inodes + 1000000000ULL;
  v.f_ffree = 1000000000ULL;
  v.f_favail = v.f_ffree;
  v.f_namemax = 255;
  fuse_reply_statfs(req, &v);
}

}  // namespace elk::mount
