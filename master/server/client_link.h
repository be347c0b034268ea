#pragma once
// One client connection (port 9421): hello, the optional password challenge, session
// registration against the exports, then requests. Every reply goes through the
// ReplyGate, so it leaves only after that turn's changelog records are committed.
//
// Credentials are mapped by the session's export (maproot/mapall); mutations on a
// read-only export answer kReadOnly (EROFS); goals and trash times outside the export's
// limits answer kPerm. Failures answer MATOCL_STATUS (msgid, status).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common/cfg/exports_file.h"
#include "common/net/connection.h"
#include "common/net/event_loop.h"
#include "common/protocol/antoan.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/matocl.h"
#include "common/status.h"
#include "master/meta/metadata.h"
#include "master/server/chunk_writes.h"
#include "master/server/convert.h"
#include "master/server/reply_gate.h"
#include "master/server/role.h"
#include "master/server/tree_jobs.h"
#include "master/sessions/session_table.h"

namespace elk::master {

class ClientLink;
class LockService;

// What client links act on; owned by MasterServer.
struct ClientContext {
  net::EventLoop& loop;
  Metadata& meta;
  SessionTable& sessions;
  cfg::ExportsTable& exports;
  ReplyGate& gate;
  ChunkWrites& writes;
  NowFn now;
  std::function<void()> sessions_changed;  // a session opened: save sessions.mfs
  // A session's owner resumed it on link `by`: its other owner links are closed.
  std::function<void(uint32_t session, const ClientLink* by)> session_resumed;
  std::string version = "elkfs";
  // Requests received, by message type, since start (the monitor's counters).
  std::map<uint32_t, uint64_t> op_counts;
  std::chrono::milliseconds idle_timeout{0};   // MATOCL_TIMEOUT; 0: none
  std::chrono::milliseconds hello_timeout{0};  // HELLO_TIMEOUT: until the session registers
  TreeJobs* jobs = nullptr;                    // the recursive requests, a slice per loop turn
  // After a client's hello: a follower sends it to the leader (ANTOAN_NOT_LEADER).
  NotLeaderFn not_leader;
  LockService* locks = nullptr;     // file locks; null: lock requests refused
  std::function<uint64_t()> epoch;  // the master's term, told at registration; empty: 0
  // A page of the monitor (CLTOMA_MONITOR, no session needed); empty: answered 404.
  std::function<protocol::MatoclMonitor(const protocol::CltomaMonitor&)> monitor;
};

class ClientLink {
 public:
  // Most chunks one MATOCL_CHUNK_LIST carries (fewer when their copies would make it large).
  static constexpr size_t kChunkListPage = 1024;

  explicit ClientLink(ClientContext& ctx) : ctx_(ctx) {}
  ~ClientLink();
  ClientLink(const ClientLink&) = delete;
  ClientLink& operator=(const ClientLink&) = delete;

  // `slot`: the connection's place under the port's caps (net::ConnectionLimiter).
  Status Start(net::UniqueFd fd, net::Address peer, std::function<void()> on_close,
               std::shared_ptr<void> slot = {});
  void Close(Status why = Status::Ok());
  uint32_t session_id() const { return session_id_; }
  // A tool that joined its mount's session: it does not own the session's opens.
  bool joined() const { return joined_; }

 private:
  Status OnFrame(const protocol::FrameView& f);
  Status OnHello(const protocol::FrameView& f);
  Status Dispatch(const protocol::FrameView& f);
  template <typename M, typename Fn>
  Status Run(const protocol::FrameView& f, Fn fn);

  // Registration (client_link.cc).
  void GetChallenge(const protocol::CltomaGetChallenge& m);
  void Register(const protocol::CltomaRegisterSession& m);
  Result<InodeId> ResolveFolder(const std::string& folder) const;

  // Namespace requests (client_ops.cc).
  void Lookup(const protocol::CltomaLookup& m);
  void Getattr(const protocol::CltomaGetattr& m);
  void Setattr(const protocol::CltomaSetattr& m);
  void Mknod(const protocol::CltomaMknod& m);
  void Create(const protocol::CltomaCreate& m);
  void Mkdir(const protocol::CltomaMkdir& m);
  void Unlink(const protocol::CltomaUnlink& m);
  void Rmdir(const protocol::CltomaRmdir& m);
  void Rename(const protocol::CltomaRename& m);
  void Link(const protocol::CltomaLink& m);
  void Symlink(const protocol::CltomaSymlink& m);
  void Readlink(const protocol::CltomaReadlink& m);
  void Readdir(const protocol::CltomaReaddir& m);
  void Statfs(const protocol::CltomaStatfs& m);
  void Open(const protocol::CltomaOpen& m);
  void Release(const protocol::CltomaRelease& m);
  void SessionOpens(const protocol::CltomaSessionOpens& m);

  // Chunks (client_chunk_ops.cc).
  // Ok when the session holds inode open with `need` (kOpenedRead or kOpenedWrite).
  Status MayUseChunks(InodeId inode, uint8_t need) const;
  void ReadChunk(const protocol::CltomaReadChunk& m);
  void WriteChunk(const protocol::CltomaWriteChunk& m);
  void WriteChunkEnd(const protocol::CltomaWriteChunkEnd& m);
  void ChunkInfo(const protocol::CltomaChunkInfo& m);
  void ListChunks(const protocol::CltomaChunkList& m);
  // A chunk's version and copies as mfsfileinfo shows them (version 0, none: unknown).
  std::pair<uint32_t, std::vector<protocol::ChunkCopyInfo>> CopiesOf(ChunkId chunk) const;
  void AppendChunks(const protocol::CltomaAppendChunks& m);
  void PunchChunks(const protocol::CltomaPunchChunks& m);
  void Repair(const protocol::CltomaRepair& m);  // mfsfilerepair
  void Getxattr(const protocol::CltomaGetxattr& m);
  void Setxattr(const protocol::CltomaSetxattr& m);
  void Listxattr(const protocol::CltomaListxattr& m);
  void Removexattr(const protocol::CltomaRemovexattr& m);

  // Goals and trash times (-r), dirinfo and snapshots run as a TreeJob, a slice per loop
  // turn (client_tree_ops.cc).
  void Getgoal(const protocol::CltomaGetgoal& m);
  void Setgoal(const protocol::CltomaSetgoal& m);
  void Gettrashtime(const protocol::CltomaGettrashtime& m);
  void Settrashtime(const protocol::CltomaSettrashtime& m);
  void Getdirstats(const protocol::CltomaGetdirstats& m);
  void Paths(const protocol::CltomaPaths& m);  // client_paths.cc
  void Monitor(const protocol::CltomaMonitor& m);
  void Snapshot(const protocol::CltomaSnapshot& m);
  void StartJob(uint32_t msgid, InodeId inode, TreeJob job);
  // Starts a job of this session that stops if the connection closes (kDelayed replied
  // when there is no room).
  void QueueJob(uint32_t msgid, TreeJob job);
  template <typename MakeReply>
  std::function<void(const Status&)> JobReply(uint32_t msgid, MakeReply make);
  template <typename Count, typename V, typename Msg>
  void StartSummary(uint32_t msgid, InodeId inode,
                    void (Namespace::*add)(std::span<const InodeId>, ValueSummary*) const);
  template <uint32_t Type, typename Apply>
  void StartSet(uint32_t msgid, InodeId inode, Apply apply);

  // File locks (client_lock_ops.cc).
  Status MayLock(InodeId inode) const;
  void Lock(const protocol::CltomaLock& m);
  void LockTest(const protocol::CltomaLockTest& m);
  void LockCancel(const protocol::CltomaLockCancel& m);
  void LockRelease(const protocol::CltomaLockRelease& m);
  void LocksReclaim(const protocol::CltomaLocksReclaim& m);

  // The meta file system: sessions on "." only (client_meta_ops.cc).
  void ListDetached(const protocol::CltomaListDetached& m);
  void Undelete(const protocol::CltomaUndelete& m);
  void Purge(const protocol::CltomaPurge& m);
  void DetachedAttr(const protocol::CltomaDetachedAttr& m);
  void SetTrashPath(const protocol::CltomaSetTrashPath& m);

  // Replies.
  template <typename M>
  void Reply(const M& msg) {
    ctx_.gate.Reply(conn_, msg);
  }
  void ReplyStatus(uint32_t msgid, const Status& s);
  template <uint32_t Type>
  void ReplyAttr(uint32_t msgid, const Result<Attr>& attr);

  // A session on a subfolder reaches only nodes under it: every inode a request names
  // must be there (Namespace::Within), else the request answers kNoEnt.
  template <typename M>
  bool InScope(const M& m) const;
  // A meta session (mfsmount -m) sees trash and reserved only: it may list, restore and
  // purge them, and read a detached file (getattr, chunk locations) - nothing else.
  template <typename M>
  bool MetaMayDo(const M& m) const;

  Cred MapCred(const protocol::Creds& creds) const;
  Status Writable() const;
  uint32_t Now() const { return ctx_.now(); }

  ClientContext& ctx_;
  std::shared_ptr<net::Connection> conn_;
  net::Address peer_;
  std::function<void()> on_close_;
  bool hello_ = false;
  protocol::Role role_ = protocol::Role::kClient;  // what the peer said it is in its hello
  std::optional<Challenge> challenge_;
  uint32_t session_id_ = 0;
  bool meta_ = false;  // mounted "." (the meta file system)
  bool joined_ = false;
  cfg::ExportOptions options_;
  InodeId root_ = kRootInode;
};

template <typename M>
bool ClientLink::InScope(const M& m) const {
  if (root_ == kRootInode) return true;
  // Dropping the session's own locks of a file is allowed wherever the file went since.
  if constexpr (M::kType == protocol::CLTOMA_LOCK_RELEASE) return true;
  auto within = [this](InodeId inode) { return ctx_.meta.ns().Within(root_, inode, session_id_); };
  if constexpr (requires { m.inode; }) {
    if (!within(m.inode)) return false;
  }
  if constexpr (requires { m.parent; }) {
    if (!within(m.parent)) return false;
  }
  if constexpr (requires { m.src_parent; }) {
    if (!within(m.src_parent)) return false;
  }
  if constexpr (requires { m.dst_parent; }) {
    if (!within(m.dst_parent)) return false;
  }
  if constexpr (requires { m.src_inode; }) {
    if (!within(m.src_inode)) return false;
  }
  if constexpr (requires { m.dst_inode; }) {
    if (!within(m.dst_inode)) return false;
  }
  return true;
}

template <typename M>
bool ClientLink::MetaMayDo(const M& m) const {
  namespace p = protocol;
  constexpr uint32_t t = M::kType;
  if constexpr (t == p::CLTOMA_GETATTR || t == p::CLTOMA_READ_CHUNK) {
    return ctx_.meta.ns().Detached(m.inode);
  } else {
    return t == p::CLTOMA_GET_CHALLENGE || t == p::CLTOMA_REGISTER_SESSION ||
           t == p::CLTOMA_STATFS || t == p::CLTOMA_LIST_DETACHED || t == p::CLTOMA_UNDELETE ||
           t == p::CLTOMA_PURGE || t == p::CLTOMA_SESSION_OPENS || t == p::CLTOMA_DETACHED_ATTR ||
           t == p::CLTOMA_SET_TRASH_PATH || t == p::CLTOMA_MONITOR ||
           t == p::CLTOMA_LOCKS_RECLAIM;  // every resume sends one, empty here
  }
}

template <uint32_t Type>
void ClientLink::ReplyAttr(uint32_t msgid, const Result<Attr>& attr) {
  if (!attr.ok()) return ReplyStatus(msgid, attr.status());
  Reply(protocol::MatoclAttrReply<Type>{msgid, ToWire(*attr)});
}

}  // namespace elk::master
