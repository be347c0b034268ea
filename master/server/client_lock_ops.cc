// File locks from clients (docs/locks.md): each request goes to the LockService; a waiting
// one is answered from there when its lock is granted, cancelled or lost.
#include "master/server/client_link.h"
#include "master/server/lock_service.h"

namespace elk::master {

namespace proto = protocol;

Status ClientLink::MayLock(InodeId inode) const {
  if (ctx_.locks == nullptr) return Status(Code::kNotSupported, "no lock service");
  // A tool joined to its mount's session holds none of the mount's locks.
  if (joined_) return Status(Code::kPerm, "a joined tool owns no locks");
  if (inode == 0) return Status::Ok();
  auto attr = ctx_.meta.ns().GetAttr(inode);
  return attr.ok() ? Status::Ok() : attr.status();
}

void ClientLink::Lock(const proto::CltomaLock& m) {
  if (Status s = MayLock(m.inode); !s.ok()) return ReplyStatus(m.msgid, s);
  ctx_.locks->Lock(this, session_id_, m,
                   [this, msgid = m.msgid](const Status& s) { ReplyStatus(msgid, s); });
}

void ClientLink::LockTest(const proto::CltomaLockTest& m) {
  if (Status s = MayLock(m.inode); !s.ok()) return ReplyStatus(m.msgid, s);
  ctx_.locks->Test(this, session_id_, m, [this](const proto::MatoclLockTest& r) { Reply(r); });
}

void ClientLink::LockCancel(const proto::CltomaLockCancel& m) {
  if (Status s = MayLock(0); !s.ok()) return ReplyStatus(m.msgid, s);
  ctx_.locks->Cancel(session_id_, m.wait_id);
  ReplyStatus(m.msgid, Status::Ok());
}

void ClientLink::LockRelease(const proto::CltomaLockRelease& m) {
  // A file removed meanwhile may still have locks: they go whatever its state.
  if (Status s = MayLock(0); !s.ok()) return ReplyStatus(m.msgid, s);
  ctx_.locks->Release(session_id_, m);
  ReplyStatus(m.msgid, Status::Ok());
}

void ClientLink::LocksReclaim(const proto::CltomaLocksReclaim& m) {
  if (Status s = MayLock(0); !s.ok()) return ReplyStatus(m.msgid, s);
  std::vector<proto::HeldLock> claims = m.locks;
  for (proto::HeldLock& c : claims) {
    // A file outside the session's folder is not the session's to lock: lost.
    if (root_ != kRootInode && !ctx_.meta.ns().Within(root_, c.inode, session_id_))
      c.type = proto::LockType::kUnlock;
  }
  Reply(proto::MatoclLocksReclaim{m.msgid, ctx_.locks->Reclaim(session_id_, claims)});
}

}  // namespace elk::master
