#include "master/server/client_link.h"

#include <utility>

#include "common/log/log.h"
#include "common/net/send_msg.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "master/server/lock_service.h"

namespace elk::master {

namespace proto = protocol;

ClientLink::~ClientLink() {
  if (conn_) conn_->Close();
  // Its waiting lock requests can no longer be answered; the client resends them.
  if (ctx_.locks != nullptr) ctx_.locks->LinkClosed(this);
}

Status ClientLink::Start(net::UniqueFd fd, net::Address peer, std::function<void()> on_close,
                         std::shared_ptr<void> slot) {
  peer_ = peer;
  on_close_ = std::move(on_close);
  net::ConnectionOptions copts;
  // Client requests only (1000-1999), each up to its own size class (kBlockData at most).
  copts.max_payload = [](uint32_t type) { return proto::MaxPayloadFrom(type, 1000, 1999); };
  // A NOP after each second of quiet: a client waiting for a slow answer hears that this
  // master is alive, and gives up on one that is silent (paused, cut off) within seconds
  // (SessionOptions::master_silence).
  copts.keepalive = std::chrono::seconds(1);
  // Mounts and tools send a NOP after 2 s of quiet, so only a dead or hostile peer is
  // this silent. Until its session is registered a client may send only small frames.
  copts.idle_timeout = ctx_.idle_timeout;
  copts.hello_timeout = ctx_.hello_timeout;
  copts.untrusted_max_payload = proto::kPreSessionMaxPayload;
  copts.slot = std::move(slot);
  auto conn = net::Connection::Create(
      ctx_.loop, std::move(fd), peer, copts,
      {.on_frame = [this](net::Connection&, const proto::FrameView& f) { return OnFrame(f); },
       .on_close =
           [this](net::Connection&, const Status&) {
             if (ctx_.locks != nullptr) ctx_.locks->LinkClosed(this);
             if (on_close_) on_close_();
           },
       .on_pressure = {}});
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  conn_->set_name("client " + peer.ToString());
  auto hello = proto::EncodePayload(proto::MakeHello(proto::Role::kMaster, ctx_.version));
  if (!hello.ok()) return hello.status();
  return conn_->Send(proto::ANTOAN_HELLO, std::move(*hello));
}

void ClientLink::Close(Status why) {
  if (conn_) conn_->Close(std::move(why));
}

Status ClientLink::OnFrame(const proto::FrameView& f) {
  if (!hello_) return OnHello(f);
  if (f.type == proto::ANTOAN_STATUS) return Status::Ok();
  if (session_id_ != 0) ctx_.sessions.Touch(session_id_, Now());
  ctx_.op_counts[f.type]++;
  return Dispatch(f);
}

Status ClientLink::OnHello(const proto::FrameView& f) {
  auto hello = proto::Decode<proto::AntoanHello>(f);
  if (!hello.ok()) return hello.status();
  Status s = proto::CheckHello(*hello, {proto::Role::kClient, proto::Role::kTool,
                                        proto::Role::kIscsiTarget, proto::Role::kMonitor});
  if (!s.ok()) {
    if (auto st = proto::EncodePayload(proto::AntoanStatus{s.code(), s.message()}); st.ok()) {
      (void)conn_->Send(proto::ANTOAN_STATUS, std::move(*st));
    }
    conn_->CloseAfterFlush(s);
    return Status::Ok();
  }
  if (ctx_.not_leader) {
    if (auto redirect = ctx_.not_leader(hello->role)) {
      if (auto m = proto::EncodePayload(*redirect); m.ok()) {
        (void)conn_->Send(proto::ANTOAN_NOT_LEADER, std::move(*m));
      }
      conn_->CloseAfterFlush(Status(Code::kNotLeader, "sent to the leader"));
      return Status::Ok();
    }
  }
  hello_ = true;
  role_ = hello->role;
  return Status::Ok();
}

template <typename M, typename Fn>
Status ClientLink::Run(const proto::FrameView& f, Fn fn) {
  auto m = proto::Decode<M>(f);
  if (!m.ok()) return m.status();
  if (session_id_ == 0 && M::kType != proto::CLTOMA_GET_CHALLENGE &&
      M::kType != proto::CLTOMA_REGISTER_SESSION && M::kType != proto::CLTOMA_MONITOR) {
    ReplyStatus(m->msgid, Status(Code::kBadSession, "no session registered"));
    return Status::Ok();
  }
  if (role_ == proto::Role::kMonitor && M::kType != proto::CLTOMA_MONITOR) {
    ReplyStatus(m->msgid, Status(Code::kPerm, "a monitor reader asks for pages only"));
    return Status::Ok();
  }
  if (meta_ && !MetaMayDo(*m)) {
    ReplyStatus(m->msgid, Status(Code::kPerm, "a meta session sees trash and reserved only"));
    return Status::Ok();
  }
  if (!InScope(*m)) {
    ReplyStatus(m->msgid, Status(Code::kNoEnt, "outside the session's folder"));
    return Status::Ok();
  }
  (this->*fn)(*m);
  return Status::Ok();
}

Status ClientLink::Dispatch(const proto::FrameView& f) {
  using C = ClientLink;
  switch (f.type) {
    case proto::CLTOMA_GET_CHALLENGE:
      return Run<proto::CltomaGetChallenge>(f, &C::GetChallenge);
    case proto::CLTOMA_REGISTER_SESSION:
      return Run<proto::CltomaRegisterSession>(f, &C::Register);
    case proto::CLTOMA_LOOKUP:
      return Run<proto::CltomaLookup>(f, &C::Lookup);
    case proto::CLTOMA_GETATTR:
      return Run<proto::CltomaGetattr>(f, &C::Getattr);
    case proto::CLTOMA_SETATTR:
      return Run<proto::CltomaSetattr>(f, &C::Setattr);
    case proto::CLTOMA_MKNOD:
      return Run<proto::CltomaMknod>(f, &C::Mknod);
    case proto::CLTOMA_CREATE:
      return Run<proto::CltomaCreate>(f, &C::Create);
    case proto::CLTOMA_MKDIR:
      return Run<proto::CltomaMkdir>(f, &C::Mkdir);
    case proto::CLTOMA_UNLINK:
      return Run<proto::CltomaUnlink>(f, &C::Unlink);
    case proto::CLTOMA_RMDIR:
      return Run<proto::CltomaRmdir>(f, &C::Rmdir);
    case proto::CLTOMA_RENAME:
      return Run<proto::CltomaRename>(f, &C::Rename);
    case proto::CLTOMA_LINK:
      return Run<proto::CltomaLink>(f, &C::Link);
    case proto::CLTOMA_SYMLINK:
      return Run<proto::CltomaSymlink>(f, &C::Symlink);
    case proto::CLTOMA_READLINK:
      return Run<proto::CltomaReadlink>(f, &C::Readlink);
    case proto::CLTOMA_READDIR:
      return Run<proto::CltomaReaddir>(f, &C::Readdir);
    case proto::CLTOMA_STATFS:
      return Run<proto::CltomaStatfs>(f, &C::Statfs);
    case proto::CLTOMA_OPEN:
      return Run<proto::CltomaOpen>(f, &C::Open);
    case proto::CLTOMA_RELEASE:
      return Run<proto::CltomaRelease>(f, &C::Release);
    case proto::CLTOMA_SESSION_OPENS:
      return Run<proto::CltomaSessionOpens>(f, &C::SessionOpens);
    case proto::CLTOMA_READ_CHUNK:
      return Run<proto::CltomaReadChunk>(f, &C::ReadChunk);
    case proto::CLTOMA_WRITE_CHUNK:
      return Run<proto::CltomaWriteChunk>(f, &C::WriteChunk);
    case proto::CLTOMA_WRITE_CHUNK_END:
      return Run<proto::CltomaWriteChunkEnd>(f, &C::WriteChunkEnd);
    case proto::CLTOMA_CHUNK_INFO:
      return Run<proto::CltomaChunkInfo>(f, &C::ChunkInfo);
    case proto::CLTOMA_CHUNK_LIST:
      return Run<proto::CltomaChunkList>(f, &C::ListChunks);
    case proto::CLTOMA_GETGOAL:
      return Run<proto::CltomaGetgoal>(f, &C::Getgoal);
    case proto::CLTOMA_SETGOAL:
      return Run<proto::CltomaSetgoal>(f, &C::Setgoal);
    case proto::CLTOMA_GETTRASHTIME:
      return Run<proto::CltomaGettrashtime>(f, &C::Gettrashtime);
    case proto::CLTOMA_SETTRASHTIME:
      return Run<proto::CltomaSettrashtime>(f, &C::Settrashtime);
    case proto::CLTOMA_GETDIRSTATS:
      return Run<proto::CltomaGetdirstats>(f, &C::Getdirstats);
    case proto::CLTOMA_PATHS:
      return Run<proto::CltomaPaths>(f, &C::Paths);
    case proto::CLTOMA_MONITOR:
      return Run<proto::CltomaMonitor>(f, &C::Monitor);
    case proto::CLTOMA_REPAIR:
      return Run<proto::CltomaRepair>(f, &C::Repair);
    case proto::CLTOMA_SNAPSHOT:
      return Run<proto::CltomaSnapshot>(f, &C::Snapshot);
    case proto::CLTOMA_APPEND_CHUNKS:
      return Run<proto::CltomaAppendChunks>(f, &C::AppendChunks);
    case proto::CLTOMA_GETXATTR:
      return Run<proto::CltomaGetxattr>(f, &C::Getxattr);
    case proto::CLTOMA_SETXATTR:
      return Run<proto::CltomaSetxattr>(f, &C::Setxattr);
    case proto::CLTOMA_LISTXATTR:
      return Run<proto::CltomaListxattr>(f, &C::Listxattr);
    case proto::CLTOMA_REMOVEXATTR:
      return Run<proto::CltomaRemovexattr>(f, &C::Removexattr);
    case proto::CLTOMA_PUNCH_CHUNKS:
      return Run<proto::CltomaPunchChunks>(f, &C::PunchChunks);
    case proto::CLTOMA_LIST_DETACHED:
      return Run<proto::CltomaListDetached>(f, &C::ListDetached);
    case proto::CLTOMA_UNDELETE:
      return Run<proto::CltomaUndelete>(f, &C::Undelete);
    case proto::CLTOMA_PURGE:
      return Run<proto::CltomaPurge>(f, &C::Purge);
    case proto::CLTOMA_DETACHED_ATTR:
      return Run<proto::CltomaDetachedAttr>(f, &C::DetachedAttr);
    case proto::CLTOMA_SET_TRASH_PATH:
      return Run<proto::CltomaSetTrashPath>(f, &C::SetTrashPath);
    case proto::CLTOMA_LOCK:
      return Run<proto::CltomaLock>(f, &C::Lock);
    case proto::CLTOMA_LOCK_TEST:
      return Run<proto::CltomaLockTest>(f, &C::LockTest);
    case proto::CLTOMA_LOCK_CANCEL:
      return Run<proto::CltomaLockCancel>(f, &C::LockCancel);
    case proto::CLTOMA_LOCK_RELEASE:
      return Run<proto::CltomaLockRelease>(f, &C::LockRelease);
    case proto::CLTOMA_LOCKS_RECLAIM:
      return Run<proto::CltomaLocksReclaim>(f, &C::LocksReclaim);
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} from a client", proto::TypeName(f.type)));
  }
}

void ClientLink::GetChallenge(const proto::CltomaGetChallenge& m) {
  challenge_ = NewChallenge();
  Reply(proto::MatoclChallenge{m.msgid, {challenge_->begin(), challenge_->end()}});
}

Result<InodeId> ClientLink::ResolveFolder(const std::string& folder) const {
  InodeId inode = kRootInode;
  if (folder == "." || folder == "/") return inode;
  size_t pos = 1;
  while (pos <= folder.size()) {
    size_t end = folder.find('/', pos);
    if (end == std::string::npos) end = folder.size();
    if (end > pos) {
      auto attr = ctx_.meta.ns().Lookup(Cred{}, inode, folder.substr(pos, end - pos));
      if (!attr.ok()) return attr.status();
      if (attr->type != NodeType::kDirectory) return Status(Code::kNotDir, folder);
      inode = attr->inode;
    }
    pos = end + 1;
  }
  return inode;
}

void ClientLink::Register(const proto::CltomaRegisterSession& m) {
  auto rules = ctx_.exports.rules();
  MountRequest req{
      peer_.ip,   m.export_path,       conn_->name(),
      challenge_, m.password_response, role_ == proto::Role::kTool && m.session_id != 0};
  const Session* known = m.session_id == 0 ? nullptr : ctx_.sessions.Find(m.session_id);
  const bool adopted = known != nullptr && known->adopted;
  auto session = m.session_id == 0 ? ctx_.sessions.Open(*rules, req, Now())
                                   : ctx_.sessions.Resume(m.session_id, *rules, req, Now());
  challenge_.reset();
  if (!session.ok()) {
    log::Notice("{}: mount of '{}' refused: {}", conn_->name(), m.export_path,
                session.status().ToString());
    return ReplyStatus(m.msgid, session.status());
  }
  const Session* s = *session;
  auto root = ResolveFolder(s->folder);
  if (!root.ok()) return ReplyStatus(m.msgid, root.status());
  session_id_ = s->id;
  conn_->Trust();
  options_ = s->rule.options;
  meta_ = s->meta();
  root_ = *root;
  joined_ = req.tool_join;
  if (m.session_id != 0 && !joined_ && ctx_.session_resumed) ctx_.session_resumed(s->id, this);
  // Only a new (or adopted) session changes sessions.mfs; a resumed one (a mount after a
  // master restart, a tool joining its mount's session) is already in it, and rewriting the
  // file each time cost a tool run several milliseconds of disk work.
  if ((m.session_id == 0 || adopted) && ctx_.sessions_changed) ctx_.sessions_changed();
  log::Info("{}: session {} on '{}'{}", conn_->name(), session_id_, s->folder,
            options_.readonly ? " (read-only)" : "");
  Reply(proto::MatoclRegisterSession{m.msgid, session_id_, root_, options_.readonly,
                                     static_cast<uint8_t>(options_.mingoal),
                                     static_cast<uint8_t>(options_.maxgoal), options_.mintrashtime,
                                     options_.maxtrashtime, ctx_.epoch ? ctx_.epoch() : 0});
}

void ClientLink::ReplyStatus(uint32_t msgid, const Status& s) {
  Reply(proto::MatoclStatus{msgid, s.code()});
}

Cred ClientLink::MapCred(const proto::Creds& creds) const {
  return MapCredentials(options_, FromWire(creds));
}

Status ClientLink::Writable() const {
  return CheckWritable(options_);
}

// Read-only and session-less, as MooseFS's master answers mfscli and its CGI on this port.
void ClientLink::Monitor(const proto::CltomaMonitor& m) {
  if (!ctx_.monitor) {
    return Reply(proto::MatoclMonitor{m.msgid, 404, "text/plain; charset=utf-8", "no monitor\n"});
  }
  proto::MatoclMonitor reply = ctx_.monitor(m);
  reply.msgid = m.msgid;
  // A page acknowledges no change, so a monitor reader's goes out at once, not through the
  // durability gate: a follower (which proves no lease) answers it too. Its connection asks
  // for nothing else, so nothing queued in the gate can be overtaken. Any other link's page
  // keeps its place among that link's replies.
  if (role_ == proto::Role::kMonitor) {
    if (Status s = net::SendMsg(*conn_, reply); !s.ok()) conn_->Close(s);
    return;
  }
  Reply(reply);
}

}  // namespace elk::master
