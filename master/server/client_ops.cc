// Namespace requests of a client link: lookups and POSIX mutations.
#include <algorithm>

#include "master/server/chunk_truncation.h"
#include "master/server/client_link.h"

namespace elk::master {

namespace proto = protocol;

void ClientLink::Lookup(const proto::CltomaLookup& m) {
  // The session's root is its "/": its ".." leads nowhere higher.
  if (m.parent == root_ && m.name == "..") {
    return ReplyAttr<proto::MATOCL_LOOKUP>(m.msgid, ctx_.meta.ns().GetAttr(root_));
  }
  ReplyAttr<proto::MATOCL_LOOKUP>(m.msgid,
                                  ctx_.meta.ns().Lookup(MapCred(m.creds), m.parent, m.name));
}

void ClientLink::Getattr(const proto::CltomaGetattr& m) {
  ReplyAttr<proto::MATOCL_GETATTR>(m.msgid, ctx_.meta.ns().GetAttr(m.inode));
}

void ClientLink::Setattr(const proto::CltomaSetattr& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  SetAttrRequest req;
  req.mode = m.mode;
  req.uid = m.uid;
  req.gid = m.gid;
  if (m.flags & proto::kSetattrAtimeNow) {
    req.atime_how = TimeSet::kNow;  // judged as UTIME_NOW: a writer may
  } else if (m.atime) {
    req.atime_how = TimeSet::kValue;
    req.atime = *m.atime;
  }
  if (m.flags & proto::kSetattrMtimeNow) {
    req.mtime_how = TimeSet::kNow;
  } else if (m.mtime) {
    req.mtime_how = TimeSet::kValue;
    req.mtime = *m.mtime;
  }
  req.length = m.length;
  // A descriptor open for writing may change the length whatever the mode now is - if the
  // session really holds the file open for writing; a claim alone counts for nothing.
  req.open_for_write = (m.flags & proto::kSetattrOpenForWrite) != 0 &&
                       (ctx_.meta.ns().OpenModeOf(m.inode, session_id_) & kOpenedWrite) != 0;
  if (CutFor(ctx_.meta.ns(), m.inode, req)) {
    return TruncateIntoChunk(ctx_, {MapCred(m.creds), m.inode, req, session_id_, m.msgid, conn_});
  }
  auto r = ctx_.meta.SetAttr(MapCred(m.creds), m.inode, req, Now());
  if (!r.ok()) return ReplyStatus(m.msgid, r.status());
  ReplyAttr<proto::MATOCL_SETATTR>(m.msgid, r->attr);
}

void ClientLink::Mknod(const proto::CltomaMknod& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  ReplyAttr<proto::MATOCL_MKNOD>(
      m.msgid, ctx_.meta.Create(MapCred(m.creds), m.parent, m.name, FromWire(m.type), m.mode,
                                m.umask, m.rdev, Now()));
}

void ClientLink::Create(const proto::CltomaCreate& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  auto a = ctx_.meta.Create(MapCred(m.creds), m.parent, m.name, NodeType::kFile, m.mode, m.umask, 0,
                            Now());
  // FUSE's create is open(O_CREAT): asked to, it opens what it makes (CLTOMA_RELEASE closes),
  // for reading and writing: its maker may write it whatever mode it was given.
  if (a.ok() && m.open != 0) ctx_.meta.Open(a->inode, session_id_, kOpenedAny, Now());
  ReplyAttr<proto::MATOCL_CREATE>(m.msgid, a);
}

void ClientLink::Mkdir(const proto::CltomaMkdir& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  ReplyAttr<proto::MATOCL_MKDIR>(
      m.msgid, ctx_.meta.Mkdir(MapCred(m.creds), m.parent, m.name, m.mode, m.umask, Now()));
}

void ClientLink::Unlink(const proto::CltomaUnlink& m) {
  Status s = Writable();
  if (s.ok()) s = ctx_.meta.Unlink(MapCred(m.creds), m.parent, m.name, Now());
  ReplyStatus(m.msgid, s);
}

void ClientLink::Rmdir(const proto::CltomaRmdir& m) {
  Status s = Writable();
  if (s.ok()) s = ctx_.meta.Rmdir(MapCred(m.creds), m.parent, m.name, Now());
  ReplyStatus(m.msgid, s);
}

void ClientLink::Rename(const proto::CltomaRename& m) {
  Status s = Writable();
  if (s.ok()) {
    const RenameFlags flags = m.mode == proto::RenameMode::kNoReplace  ? RenameFlags::kNoReplace
                              : m.mode == proto::RenameMode::kExchange ? RenameFlags::kExchange
                                                                       : RenameFlags::kNone;
    s = ctx_.meta.Rename(MapCred(m.creds), m.src_parent, m.src_name, m.dst_parent, m.dst_name,
                         flags, Now());
  }
  ReplyStatus(m.msgid, s);
}

void ClientLink::Link(const proto::CltomaLink& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  ReplyAttr<proto::MATOCL_LINK>(
      m.msgid, ctx_.meta.Link(MapCred(m.creds), m.inode, m.dst_parent, m.dst_name, Now()));
}

void ClientLink::Symlink(const proto::CltomaSymlink& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  ReplyAttr<proto::MATOCL_SYMLINK>(
      m.msgid, ctx_.meta.Symlink(MapCred(m.creds), m.parent, m.name, m.target, Now()));
}

void ClientLink::Readlink(const proto::CltomaReadlink& m) {
  auto target = ctx_.meta.ns().Readlink(m.inode);
  if (!target.ok()) return ReplyStatus(m.msgid, target.status());
  Reply(proto::MatoclReadlink{m.msgid, *target});
}

void ClientLink::Getxattr(const proto::CltomaGetxattr& m) {
  auto v = ctx_.meta.ns().GetXattr(MapCred(m.creds), m.inode, m.name);
  if (!v.ok()) return ReplyStatus(m.msgid, v.status());
  Reply(proto::MatoclGetxattr{m.msgid, *v});
}

void ClientLink::Setxattr(const proto::CltomaSetxattr& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  const auto flags = m.mode == proto::XattrMode::kCreate    ? XattrFlags::kCreate
                     : m.mode == proto::XattrMode::kReplace ? XattrFlags::kReplace
                                                            : XattrFlags::kAny;
  ReplyStatus(m.msgid,
              ctx_.meta.SetXattr(MapCred(m.creds), m.inode, m.name, m.value, flags, Now()));
}

void ClientLink::Listxattr(const proto::CltomaListxattr& m) {
  auto names = ctx_.meta.ns().ListXattr(MapCred(m.creds), m.inode);
  if (!names.ok()) return ReplyStatus(m.msgid, names.status());
  Reply(proto::MatoclListxattr{m.msgid, std::move(*names)});
}

void ClientLink::Removexattr(const proto::CltomaRemovexattr& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  ReplyStatus(m.msgid, ctx_.meta.RemoveXattr(MapCred(m.creds), m.inode, m.name, Now()));
}

void ClientLink::Readdir(const proto::CltomaReaddir& m) {
  // Bounded so the reply stays far below MATOCL_READDIR's limit (~300 bytes an entry).
  constexpr uint32_t kMaxEntries = 10000;
  uint32_t max = m.max_entries == 0 ? kMaxEntries : std::min(m.max_entries, kMaxEntries);
  const Namespace& ns = ctx_.meta.ns();
  auto entries = ns.Readdir(MapCred(m.creds), m.inode, m.cookie, max);
  if (!entries.ok()) return ReplyStatus(m.msgid, entries.status());
  proto::MatoclReaddir reply{m.msgid, {}, m.cookie, entries->size() < max};
  for (const auto& e : *entries) {
    // The session's root shows itself as its "..", hiding what lies above.
    const InodeId inode = m.inode == root_ && e.name == ".." ? root_ : e.inode;
    auto attr = ns.GetAttr(inode);
    proto::Attr wire = attr.ok() ? ToWire(*attr) : proto::Attr{inode, ToWire(e.type)};
    reply.entries.push_back({e.name, wire});
    reply.next_cookie = e.next_cookie;
  }
  Reply(reply);
}

void ClientLink::Statfs(const proto::CltomaStatfs& m) {
  const StatFs st = ctx_.meta.ns().Stats();  // kept counters: no walk
  proto::MatoclStatfs reply{m.msgid};
  for (const auto& server : ctx_.meta.chunks().servers().all()) {
    if (!server.connected) continue;
    reply.total_space += server.total_bytes;
    reply.avail_space += server.total_bytes - std::min(server.used_bytes, server.total_bytes);
  }
  reply.trash_space = st.trash_length;
  reply.reserved_space = st.reserved_length;
  reply.inodes = static_cast<uint32_t>(std::min<uint64_t>(st.files + st.dirs, UINT32_MAX));
  Reply(reply);
}

void ClientLink::Open(const proto::CltomaOpen& m) {
  Cred cred = MapCred(m.creds);
  uint8_t mask = 0;
  if (m.flags & proto::kOpenRead) mask |= kMayRead;
  if (m.flags & (proto::kOpenWrite | proto::kOpenTruncate)) mask |= kMayWrite;
  Status s = ctx_.meta.ns().Access(cred, m.inode, mask);
  if (s.ok() && (mask & kMayWrite) != 0) s = Writable();
  // A name the kernel still caches may lead to a file another client removed (an entry
  // lives for mfsentrycacheto): ESTALE makes the kernel look the name up again and open
  // (or create) what it names now. A file this session holds open stays openable.
  if (s.ok() && ctx_.meta.ns().Detached(m.inode) &&
      ctx_.meta.ns().OpenModeOf(m.inode, session_id_) == 0) {
    s = Status(Code::kWrongVersion, "removed by another client");
  }
  if (!s.ok()) return ReplyStatus(m.msgid, s);
  if (m.flags & proto::kOpenTruncate) {
    SetAttrRequest req;
    req.length = 0;
    auto r = ctx_.meta.SetAttr(cred, m.inode, req, Now());
    if (!r.ok()) return ReplyStatus(m.msgid, r.status());
  }
  // Counted for the session: unlinked while open, the file waits in reserved. Its mode is
  // what the session may then do with the file's chunks (ReadChunk, WriteChunk).
  const uint8_t mode =
      ((mask & kMayRead) != 0 ? kOpenedRead : 0) | ((mask & kMayWrite) != 0 ? kOpenedWrite : 0);
  ctx_.meta.Open(m.inode, session_id_, mode, Now());
  ReplyAttr<proto::MATOCL_OPEN>(m.msgid, ctx_.meta.ns().GetAttr(m.inode));
}

void ClientLink::Release(const proto::CltomaRelease& m) {
  ctx_.meta.Close(m.inode, session_id_, Now());
  ReplyStatus(m.msgid, Status::Ok());
}

void ClientLink::SessionOpens(const proto::CltomaSessionOpens& m) {
  // A tool joined to its mount's session holds none of the mount's descriptors.
  if (joined_) return ReplyStatus(m.msgid, Status(Code::kPerm, "a joined tool owns no opens"));
  std::vector<SessionOpen> claimed;
  claimed.reserve(m.files.size());
  for (const proto::OpenedFile& f : m.files) {
    const uint8_t mode = ((f.mode & proto::kOpenRead) != 0 ? kOpenedRead : 0) |
                         ((f.mode & proto::kOpenWrite) != 0 ? kOpenedWrite : 0);
    claimed.push_back({f.inode, f.count, mode});
  }
  ctx_.meta.TrimOpens(session_id_, claimed, Now());
  ReplyStatus(m.msgid, Status::Ok());
}

}  // namespace elk::master
