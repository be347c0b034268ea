#pragma once
// libelkclient: one session with the master (docs/client.md). One TCP connection carries
// every request; many threads may call at once (a mutex serialises sends). Replies are read
// by the callers themselves, one at a time: the caller holding the reading turn hands each
// reply to its owner by msgid and passes the turn on when its own has come, so a lone
// caller reads its reply with no thread in between. A watch thread notices a closed
// connection, reconnects with back-off and resumes the session by its id, and keeps an
// idle connection alive; idempotent requests are retried transparently, others fail with
// kDisconnected.
//
// Open files are counted here as the master counts them (per inode: descriptors and
// modes). A session resumed after a lost connection first gives the master this account
// (CLTOMA_SESSION_OPENS), which trims the master's counts to it: an OPEN the master applied
// but whose answer was lost, or a RELEASE lost on the way, leaves nothing behind, and an
// OPEN is safely retried (docs/client.md, "Open files across reconnects").
//
//   auto s = MasterSession::Open({.host = "127.0.0.1", .port = 9421, .export_path = "/"});
//   if (!s.ok()) return s.status();
//   auto attr = (*s)->Lookup((*s)->root_inode(), "a", creds);

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/net/blocking_client.h"
#include "common/net/master_addresses.h"
#include "common/protocol/antoan.h"
#include "common/protocol/cltoma.h"
#include "common/protocol/codec.h"
#include "common/protocol/matocl.h"
#include "common/status.h"
#include "mount/client/lock_record.h"

namespace elk::client {

using Millis = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct SessionOptions {
  // MASTER_HOST: one master or several (comma/space-separated, HOST[:PORT] each; a name may
  // resolve to several), tried in turn; `port` is the default port (net::MasterAddresses).
  std::string host = "mfsmaster";
  uint16_t port = 9421;
  std::string export_path = "/";        // "." for a meta session
  std::optional<std::string> password;  // answered through the challenge
  bool password_is_md5 = false;         // password is MD5(password), 32 hex digits (mfsmd5pass)
  uint32_t session_id = 0;              // non-zero: resume this session
  protocol::Role role = protocol::Role::kClient;
  std::string software_version = "0.1.0";
  Millis connect_timeout{5000};
  Millis request_timeout{60000};  // one request's answer
  // A request waiting this long with nothing at all heard from the master since it was
  // sent (masters send a keep-alive each second of quiet) drops the connection, as if the
  // master had closed it: a leader paused or cut off is given up for the others of the
  // list and tried after them. 0: wait for the answer up to request_timeout.
  Millis master_silence{5000};
  Millis reconnect_max{2000};    // back-off cap between reconnect attempts
  Millis reconnect_wait{60000};  // how long a request waits for the master to come back
  // Open() leaves the watch thread to StartReader(): a program that forks (mfsmount
  // daemonizing) opens the session first, so errors reach its exit status, and starts the
  // thread in the child.
  bool defer_reader = false;
};

class MasterSession {
 public:
  // Connects, says hello and registers. A refused export, a bad password or an unreachable
  // master fail here, with the master's status.
  static Result<std::unique_ptr<MasterSession>> Open(SessionOptions options);
  ~MasterSession();
  MasterSession(const MasterSession&) = delete;
  MasterSession& operator=(const MasterSession&) = delete;

  // Starts the watch thread (once); only needed with `defer_reader`.
  void StartReader();

  uint32_t session_id() const;
  uint32_t root_inode() const;
  // The master the session last registered with (of the list, or the leader a follower named).
  net::Address master() const;
  protocol::MatoclRegisterSession grant() const;
  const SessionOptions& options() const { return options_; }
  // The number of times the connection was re-established (tests).
  uint32_t reconnects() const;

  // A request and its typed reply. The msgid is filled in here. MATOCL_STATUS with a
  // failure becomes that Status.
  template <typename Reply, typename Req>
  Result<Reply> Call(Req req, bool idempotent = true) {
    return Decoded<Reply>(Exchange(
        Req::kType,
        [&](uint32_t msgid) {
          req.msgid = msgid;
          return protocol::EncodePayload(req);
        },
        idempotent));
  }
  // The typed reply of a frame; MATOCL_STATUS with a failure becomes that Status.
  template <typename Reply>
  static Result<Reply> Decoded(const Result<net::Frame>& f) {
    if (!f.ok()) return f.status();
    if (f->type == protocol::MATOCL_STATUS) {
      auto st = protocol::Decode<protocol::MatoclStatus>(f->payload);
      if (!st.ok()) return st.status();
      if (st->status == Code::kOk) return Status(Code::kProtocol, "unexpected MATOCL_STATUS ok");
      return Status(st->status);
    }
    if (f->type != Reply::kType)
      return Status(Code::kProtocol, "unexpected reply type " + std::to_string(f->type));
    return protocol::Decode<Reply>(f->payload);
  }
  // A request answered by MATOCL_STATUS alone.
  template <typename Req>
  Status Do(Req req, bool idempotent = true) {
    auto f = Exchange(
        Req::kType,
        [&](uint32_t msgid) {
          req.msgid = msgid;
          return protocol::EncodePayload(req);
        },
        idempotent);
    if (!f.ok()) return f.status();
    if (f->type != protocol::MATOCL_STATUS)
      return Status(Code::kProtocol, "expected MATOCL_STATUS, got " + std::to_string(f->type));
    auto st = protocol::Decode<protocol::MatoclStatus>(f->payload);
    if (!st.ok()) return st.status();
    return st->status == Code::kOk ? Status::Ok() : Status(st->status);
  }

  // Namespace calls (creds: who asks).
  using Attr = protocol::Attr;
  using Creds = protocol::Creds;
  Result<Attr> Lookup(uint32_t parent, std::string_view name, const Creds& c);
  Result<Attr> Getattr(uint32_t inode, const Creds& c);
  Result<Attr> Setattr(const protocol::CltomaSetattr& req);
  Result<Attr> Mknod(uint32_t parent, std::string_view name, protocol::NodeType type, uint16_t mode,
                     uint16_t umask, uint32_t rdev, const Creds& c);
  // open: also opened for this session (release it with CLTOMA_RELEASE), as FUSE's create.
  Result<Attr> Create(uint32_t parent, std::string_view name, uint16_t mode, uint16_t umask,
                      const Creds& c, bool open = false);
  Result<Attr> Mkdir(uint32_t parent, std::string_view name, uint16_t mode, uint16_t umask,
                     const Creds& c);
  Status Unlink(uint32_t parent, std::string_view name, const Creds& c);
  Status Rmdir(uint32_t parent, std::string_view name, const Creds& c);
  Status Rename(uint32_t src_parent, std::string_view src_name, uint32_t dst_parent,
                std::string_view dst_name, const Creds& c,
                protocol::RenameMode mode = protocol::RenameMode::kReplace);
  Result<Attr> Link(uint32_t inode, uint32_t dst_parent, std::string_view name, const Creds& c);
  Result<Attr> Symlink(uint32_t parent, std::string_view name, std::string_view target,
                       const Creds& c);
  Result<std::string> Readlink(uint32_t inode);
  // Every entry of a directory (all pages).
  Result<std::vector<protocol::DirEntry>> Readdir(uint32_t inode, const Creds& c);
  Result<protocol::MatoclStatfs> Statfs();
  Result<Attr> Open(uint32_t inode, uint8_t flags, const Creds& c);
  // Closes one descriptor that Open or Create(open) counted. Never resent: once handed to
  // a connection it is counted released here, and a reconnect's account carries it to the
  // master if the request was lost. Fails only when the session is closed.
  Status Release(uint32_t inode);
  // The session's open files by this client's account: inode -> (descriptors, modes as
  // kOpenRead | kOpenWrite). What a resumed session tells the master.
  std::map<uint32_t, protocol::OpenedFile> OpenFiles() const;

  // File locks (master_session_locks.cc, docs/locks.md). This client's record of the locks
  // it holds follows each call, and a resumed session gives it back to the master.
  // Takes, changes or drops a lock. With kLockWait in req.flags it waits, with no time
  // limit, until the lock is granted, the wait is cancelled (kInterrupted) or the session
  // closes; it is sent again after a reconnect.
  Status Lock(protocol::CltomaLock req);
  Result<protocol::MatoclLockTest> LockTest(const protocol::CltomaLockTest& req);
  // Ends the waiting Lock with this wait_id (a FUSE interrupt).
  Status CancelLockWait(uint64_t wait_id);
  // Drops every lock of `owner` of `kind` on `inode`; asks the master only when this client
  // holds one. Never resent: a release lost in a reconnect reaches the master by the account.
  Status ReleaseLocks(uint32_t inode, uint64_t owner, protocol::LockKind kind);
  std::vector<protocol::HeldLock> HeldLocks() const;

 private:
  explicit MasterSession(SessionOptions options) : options_(std::move(options)) {}
  using Encoder = std::function<Result<std::vector<uint8_t>>(uint32_t msgid)>;
  // How a request that failed with kDisconnected is retried: kAlways (idempotent), kUnsent
  // (only if it never left), kNever (Release: counted at its sending).
  enum class Retry { kAlways, kUnsent, kNever };
  // Run under mu_: on_send when the request is given a connection, on_reply when its
  // answer arrives on the connection still in use. Open counting hangs on these, so that
  // the account a reconnect sends holds exactly what the master was told.
  struct Hooks {
    std::function<void()> on_send;
    std::function<void(const net::Frame&)> on_reply;
    bool drop_on_timeout = false;  // an unanswered request makes the next account exact
    bool no_deadline = false;      // waits for its answer as long as it takes (a lock wait)
  };
  Result<net::Frame> Exchange(uint32_t type, const Encoder& encode, bool idempotent) {
    return Exchange(type, encode, idempotent ? Retry::kAlways : Retry::kUnsent, Hooks{});
  }
  Result<net::Frame> Exchange(uint32_t type, const Encoder& encode, Retry retry,
                              const Hooks& hooks);
  // Connects and registers (resuming session_id_ when set); the grant is stored. `account`:
  // then gives the master this session's opens (a reconnect of the session's owner).
  // A follower's "not the leader" is followed to the leader it names.
  Result<std::shared_ptr<net::BlockingClient>> Connect(bool account = false);
  Result<std::shared_ptr<net::BlockingClient>> ConnectTo(const net::MasterTarget& to, bool account);
  // Waits between rounds while a follower does not know its leader; false: stopping.
  bool WaitBeforeNextRound(Millis pause);
  Status CheckEpoch(const net::MasterTarget& to, uint64_t epoch);  // refuses an older term
  Status SendOpenAccount(net::BlockingClient& conn);
  Status SendLockAccount(net::BlockingClient& conn);
  // Counts a granted open (under mu_): `flags` as CLTOMA_OPEN's.
  void CountOpen(uint32_t inode, uint8_t flags);
  // Name requests whose answer was lost with the connection (master_session_names.cc).
  Result<Attr> CreateOnce(uint32_t parent, std::string_view name, uint16_t mode, uint16_t umask,
                          const Creds& c, bool open);
  Result<Attr> SettleCreation(Result<Attr> again, uint32_t parent, std::string_view name,
                              protocol::NodeType type, const Creds& c);
  Status SettleRemoval(Status first, const std::function<Status()>& send, std::string_view what,
                       std::string_view name);
  void ReaderLoop();
  // The reading turn found nothing: true (the connection then dropped) when the master has
  // been silent for master_silence since `sent`. Called and returns with `lock` held.
  bool DropIfSilent(std::unique_lock<std::mutex>& lock,
                    const std::shared_ptr<net::BlockingClient>& c, Clock::time_point sent);
  void DropConnection(const std::shared_ptr<net::BlockingClient>& c, const Status& why);

  struct Pending {
    std::optional<Result<net::Frame>> result;
    const std::function<void(const net::Frame&)>* on_reply = nullptr;
    std::condition_variable cv;  // its reply came, or the reading turn is free
  };
  // Waits for `pending`'s reply, taking the reading turn whenever it is free.
  void AwaitReply(std::unique_lock<std::mutex>& lock, Pending& pending,
                  const std::shared_ptr<net::BlockingClient>& c, Clock::time_point deadline);
  // Hands a received frame to the caller waiting for its msgid.
  void Deliver(net::Frame frame);
  // Wakes one caller still waiting (not `leaving`), so the reading turn is taken again.
  void PassReadingTurn(const Pending* leaving);

  SessionOptions options_;
  protocol::MatoclRegisterSession grant_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<net::BlockingClient> conn_;  // null while disconnected
  std::map<uint32_t, Pending*> pending_;
  bool reading_ = false;  // a caller is receiving for everyone
  uint32_t next_msgid_ = 1;
  uint32_t session_id_ = 0;
  uint64_t highest_epoch_ = 0;  // the highest master term registered with (fencing)
  uint32_t reconnects_ = 0;
  // The masters of options_.host, in the order they are tried. Only Connect uses it, and
  // Connect runs on one thread at a time (Open, then the watch thread).
  net::MasterAddresses masters_;
  bool masters_parsed_ = false;
  net::Address master_{};  // the master this session last registered with (under mu_)
  // Under mu_: when the connection in use last gave us anything (a NOP included), and a
  // master given up for its silence, for Connect to try last.
  Clock::time_point heard_{};
  std::optional<net::Address> silent_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_send_{};
  // This client's account of its open files (see the top of the file).
  std::map<uint32_t, protocol::OpenedFile> opens_;
  // This client's account of its locks, under mu_.
  LockRecord locks_;

  std::mutex send_mu_;
  std::thread reader_;
};

}  // namespace elk::client
