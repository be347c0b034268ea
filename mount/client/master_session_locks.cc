// MasterSession's file locks (docs/locks.md): requests that keep this client's record of
// its locks (LockRecord) as exact as its account of open files, and the record given back
// when the session resumes.
#include "common/log/log.h"
#include "mount/client/master_session.h"

namespace elk::client {

namespace proto = protocol;

namespace {

template <typename M>
Status SendOne(net::BlockingClient& c, const M& m) {
  auto p = proto::EncodePayload(m);
  if (!p.ok()) return p.status();
  return c.Send(M::kType, *p);
}

bool IsOk(const net::Frame& f) {
  if (f.type != proto::MATOCL_STATUS) return false;
  auto st = proto::Decode<proto::MatoclStatus>(f.payload);
  return st.ok() && st->status == Code::kOk;
}

proto::HeldLock HeldOf(const proto::CltomaLock& req) {
  return {req.inode, req.owner, req.kind, req.type, req.start, req.end, req.pid};
}

}  // namespace

Status MasterSession::SendLockAccount(net::BlockingClient& conn) {
  // Sent on every resume, even empty: the master drops any lock granted to the session whose
  // answer was lost, and counts the session as back for the grace period.
  proto::CltomaLocksReclaim account{.msgid = 3, .locks = {}};
  {
    std::lock_guard lock(mu_);
    account.locks = locks_.Claims();
  }
  ELK_RETURN_IF_ERROR(SendOne(conn, account));
  auto f = conn.Receive(options_.connect_timeout);
  if (!f.ok()) return f.status();
  auto reply = Decoded<proto::MatoclLocksReclaim>(f);
  if (!reply.ok()) return Status(reply.code(), "the master refused the locks' account");
  if (!reply->lost.empty()) {
    log::Warning("{} of the {} locks this mount held were lost (the master released them)",
                 reply->lost.size(), account.locks.size());
    std::lock_guard lock(mu_);
    locks_.Forget(account.locks, reply->lost);
  }
  return Status::Ok();
}

Status MasterSession::Lock(proto::CltomaLock req) {
  Hooks hooks;
  Retry retry = Retry::kAlways;
  if (req.type == proto::LockType::kUnlock) {
    // Let go here when it leaves; one lost on the way is carried by the next account.
    hooks.on_send = [this, held = HeldOf(req)] { locks_.Apply(held); };
    retry = Retry::kNever;
  } else {
    // Held once granted on the connection in use; a grant whose answer was lost is dropped
    // by the reconnect's account, so the request is safely sent again.
    hooks.on_reply = [this, held = HeldOf(req)](const net::Frame& f) {
      if (IsOk(f)) locks_.Apply(held);
    };
  }
  hooks.drop_on_timeout = true;
  hooks.no_deadline = (req.flags & proto::kLockWait) != 0;
  auto f = Exchange(
      proto::CLTOMA_LOCK,
      [&](uint32_t msgid) {
        req.msgid = msgid;
        return proto::EncodePayload(req);
      },
      retry, hooks);
  if (!f.ok()) return f.status();
  if (f->type != proto::MATOCL_STATUS)
    return Status(Code::kProtocol, "expected MATOCL_STATUS, got " + std::to_string(f->type));
  auto st = proto::Decode<proto::MatoclStatus>(f->payload);
  if (!st.ok()) return st.status();
  return st->status == Code::kOk ? Status::Ok() : Status(st->status);
}

Result<proto::MatoclLockTest> MasterSession::LockTest(const proto::CltomaLockTest& req) {
  return Call<proto::MatoclLockTest>(req);
}

Status MasterSession::CancelLockWait(uint64_t wait_id) {
  return Do(proto::CltomaLockCancel{0, wait_id});
}

Status MasterSession::ReleaseLocks(uint32_t inode, uint64_t owner, proto::LockKind kind) {
  {
    std::lock_guard lock(mu_);
    if (!locks_.Holds(inode, owner, kind)) return Status::Ok();  // most closes: no request
  }
  Hooks hooks{.on_send = [this, inode, owner, kind] { locks_.ReleaseOwner(inode, owner, kind); },
              .on_reply = {},
              .drop_on_timeout = true,
              .no_deadline = false};
  auto f = Exchange(
      proto::CLTOMA_LOCK_RELEASE,
      [&](uint32_t msgid) {
        return proto::EncodePayload(proto::CltomaLockRelease{msgid, inode, owner, kind});
      },
      Retry::kNever, hooks);
  if (f.ok()) return Status::Ok();
  // Never sent (the master unreachable): forgotten here all the same; the account tells it.
  std::lock_guard lock(mu_);
  locks_.ReleaseOwner(inode, owner, kind);
  return Status::Ok();
}

std::vector<proto::HeldLock> MasterSession::HeldLocks() const {
  std::lock_guard lock(mu_);
  return locks_.Claims();
}

}  // namespace elk::client
