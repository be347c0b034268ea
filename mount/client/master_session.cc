#include "mount/client/master_session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/log/log.h"
#include "common/net/address.h"
#include "common/net/send_msg.h"
#include "common/protocol/hello.h"

namespace elk::client {

namespace proto = protocol;

namespace {

// MD5 given as 32 hex digits (mfsmd5pass); false when it is not that.
bool HexMd5(std::string_view hex, unsigned char* key) {
  if (hex.size() != 32) return false;
  for (size_t i = 0; i < 32; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(hex[i])));
    const int nibble = (c >= '0' && c <= '9')   ? c - '0'
                       : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                : -1;
    if (nibble < 0) return false;
    key[i / 2] = static_cast<unsigned char>((i % 2 == 0) ? nibble << 4 : key[i / 2] | nibble);
  }
  return true;
}

// HMAC-SHA256(key = MD5(password), challenge): what the master expects (docs/master.md).
std::vector<uint8_t> AnswerChallenge(std::string_view password, bool is_md5,
                                     std::span<const uint8_t> challenge) {
  unsigned char key[EVP_MAX_MD_SIZE];
  unsigned int key_len = 16;
  if (!is_md5 || !HexMd5(password, key)) {
    // A malformed mfsmd5pass is hashed like a password: the master then refuses it.
    EVP_Digest(password.data(), password.size(), key, &key_len, EVP_md5(), nullptr);
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key, static_cast<int>(key_len), challenge.data(), challenge.size(), out,
       &out_len);
  return std::vector<uint8_t>(out, out + out_len);
}

// The next frame; ANTOAN_STATUS (a refusal) becomes its status.
template <typename M>
Result<M> ReceiveMsg(net::BlockingClient& c, Millis timeout, std::vector<uint8_t>& keep) {
  auto f = c.Receive(timeout);
  if (!f.ok()) return f.status();
  keep = std::move(f->payload);
  if (f->type == proto::ANTOAN_STATUS) {
    auto st = proto::Decode<proto::AntoanStatus>(keep);
    if (st.ok()) return Status(st->status == Code::kOk ? Code::kProtocol : st->status, st->message);
    return st.status();
  }
  if (f->type == proto::ANTOAN_NOT_LEADER) {
    // A follower master: the message is where the leader serves clients ("" not known yet).
    auto nl = proto::Decode<proto::AntoanNotLeader>(keep);
    if (!nl.ok()) return nl.status();
    return Status(Code::kNotLeader,
                  nl->host.empty() ? std::string() : fmt::format("{}:{}", nl->host, nl->port));
  }
  if (f->type == proto::MATOCL_STATUS && M::kType != proto::MATOCL_STATUS) {
    auto st = proto::Decode<proto::MatoclStatus>(keep);
    if (!st.ok()) return st.status();
    return Status(st->status, "refused by the master");
  }
  if (f->type != M::kType)
    return Status(Code::kProtocol, "unexpected frame type " + std::to_string(f->type));
  return proto::Decode<M>(keep);
}

}  // namespace

Result<std::unique_ptr<MasterSession>> MasterSession::Open(SessionOptions options) {
  std::unique_ptr<MasterSession> s(new MasterSession(std::move(options)));
  s->session_id_ = s->options_.session_id;
  auto c = s->Connect();
  if (!c.ok()) return c.status();
  s->conn_ = std::move(*c);
  if (!s->options_.defer_reader) s->StartReader();
  return s;
}

void MasterSession::StartReader() {
  if (!reader_.joinable()) reader_ = std::thread([this] { ReaderLoop(); });
}

net::Address MasterSession::master() const {
  std::lock_guard lock(mu_);
  return master_;
}

uint32_t MasterSession::root_inode() const {
  std::lock_guard lock(mu_);
  return grant_.root_inode;
}

proto::MatoclRegisterSession MasterSession::grant() const {
  std::lock_guard lock(mu_);
  return grant_;
}

MasterSession::~MasterSession() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    // Wakes the watch thread's poll and a caller's receive at once (a tool's whole run is
    // often shorter than their waits), and every caller waiting for its turn.
    if (conn_) ::shutdown(conn_->fd(), SHUT_RDWR);
    for (auto& [id, p] : pending_)
      p->cv.notify_one();
  }
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
}

uint32_t MasterSession::session_id() const {
  std::lock_guard lock(mu_);
  return session_id_;
}

uint32_t MasterSession::reconnects() const {
  std::lock_guard lock(mu_);
  return reconnects_;
}

Result<std::shared_ptr<net::BlockingClient>> MasterSession::ConnectTo(const net::MasterTarget& to,
                                                                      bool account) {
  auto c = net::BlockingClient::Connect(to.address, options_.connect_timeout);
  if (!c.ok()) {
    return Status(c.code(), fmt::format("can't connect to the master at {} ({}): {}", to.host,
                                        to.address, c.status().ToString()));
  }
  auto conn = std::make_shared<net::BlockingClient>(std::move(*c));
  std::vector<uint8_t> keep;
  ELK_RETURN_IF_ERROR(SendMsg(*conn, proto::MakeHello(options_.role, options_.software_version)));
  auto hello = ReceiveMsg<proto::AntoanHello>(*conn, options_.connect_timeout, keep);
  if (!hello.ok()) return hello.status();
  ELK_RETURN_IF_ERROR(proto::CheckHello(*hello, {proto::Role::kMaster}));

  uint32_t resume = 0;
  {
    std::lock_guard lock(mu_);
    resume = session_id_;
  }
  proto::CltomaRegisterSession reg{.msgid = 1,
                                   .export_path = options_.export_path,
                                   .password_response = {},
                                   .session_id = resume};
  if (options_.password) {
    ELK_RETURN_IF_ERROR(SendMsg(*conn, proto::CltomaGetChallenge{.msgid = 1}));
    auto ch = ReceiveMsg<proto::MatoclChallenge>(*conn, options_.connect_timeout, keep);
    if (!ch.ok()) return ch.status();
    reg.password_response =
        AnswerChallenge(*options_.password, options_.password_is_md5, ch->challenge);
  }
  ELK_RETURN_IF_ERROR(SendMsg(*conn, reg));
  auto granted = ReceiveMsg<proto::MatoclRegisterSession>(*conn, options_.connect_timeout, keep);
  // A follower answers the registration with "not the leader": its message is the address.
  if (!granted.ok() && granted.code() == Code::kNotLeader) return granted.status();
  if (!granted.ok()) {
    return Status(granted.code(), fmt::format("the master refused export '{}': {}",
                                              options_.export_path, granted.status().ToString()));
  }
  if (Status fenced = CheckEpoch(to, granted->epoch); !fenced.ok()) return fenced;
  // A tool joined to its mount's session holds none of the session's descriptors.
  const bool joined = options_.role == proto::Role::kTool && options_.session_id != 0;
  if (account && !joined) {
    ELK_RETURN_IF_ERROR(SendOpenAccount(*conn));
    ELK_RETURN_IF_ERROR(SendLockAccount(*conn));
  }
  std::lock_guard lock(mu_);
  grant_ = *granted;
  session_id_ = granted->session_id;
  last_send_ = heard_ = Clock::now();
  master_ = to.address;
  return conn;
}

// An old leader woken up (paused, partitioned) still answers until it learns it lost its
// lease; its gate acknowledges nothing, but a session there would wait on it for nothing.
// Refused like a follower that does not know its leader: the search goes on (docs/failover.md,
// "Fencing").
Status MasterSession::CheckEpoch(const net::MasterTarget& to, uint64_t epoch) {
  std::lock_guard lock(mu_);
  if (epoch >= highest_epoch_) {
    highest_epoch_ = epoch;
    return Status::Ok();
  }
  log::Warning("master {} is of term {}, older than term {} already followed: not used", to.host,
               epoch, highest_epoch_);
  return Status(Code::kNotLeader, "");
}

Status MasterSession::SendOpenAccount(net::BlockingClient& conn) {
  // No request can reach the account's table while no connection is in use: it is exact.
  proto::CltomaSessionOpens account{.msgid = 2, .files = {}};
  {
    std::lock_guard lock(mu_);
    for (const auto& [inode, file] : opens_)
      account.files.push_back(file);
  }
  ELK_RETURN_IF_ERROR(SendMsg(conn, account));
  std::vector<uint8_t> keep;
  auto st = ReceiveMsg<proto::MatoclStatus>(conn, options_.connect_timeout, keep);
  if (!st.ok()) return st.status();
  if (st->status != Code::kOk) return Status(st->status, "the master refused the open files");
  return Status::Ok();
}

void MasterSession::CountOpen(uint32_t inode, uint8_t flags) {
  proto::OpenedFile& file = opens_[inode];
  file.inode = inode;
  ++file.count;
  if ((flags & proto::kOpenRead) != 0) file.mode |= proto::kOpenRead;
  if ((flags & (proto::kOpenWrite | proto::kOpenTruncate)) != 0) file.mode |= proto::kOpenWrite;
}

std::map<uint32_t, proto::OpenedFile> MasterSession::OpenFiles() const {
  std::lock_guard lock(mu_);
  return opens_;
}

bool MasterSession::DropIfSilent(std::unique_lock<std::mutex>& lock,
                                 const std::shared_ptr<net::BlockingClient>& c,
                                 Clock::time_point sent) {
  if (options_.master_silence.count() <= 0 || conn_ != c) return false;
  const auto quiet = Clock::now() - std::max(heard_, sent);
  if (quiet < options_.master_silence) return false;
  silent_ = master_;
  lock.unlock();
  DropConnection(
      c, Status(Code::kDisconnected, fmt::format("nothing heard from the master for {} ms",
                                                 std::chrono::ceil<Millis>(quiet).count())));
  lock.lock();
  return true;
}

void MasterSession::DropConnection(const std::shared_ptr<net::BlockingClient>& c,
                                   const Status& why) {
  std::lock_guard lock(mu_);
  if (conn_ != c || !conn_) return;
  if (!stopping_) log::Warning("master connection lost: {}", why.ToString());
  conn_.reset();
  for (auto& [id, p] : pending_) {
    if (!p->result) p->result = Result<net::Frame>(Status(Code::kDisconnected, why.message()));
    p->cv.notify_one();
  }
  cv_.notify_all();
}

void MasterSession::ReaderLoop() {
  Millis backoff{50};
  std::string last_failure;  // logged when it changes, not at every attempt
  for (;;) {
    std::shared_ptr<net::BlockingClient> c;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      c = conn_;
    }
    if (!c) {
      auto fresh = Connect(/*account=*/true);
      if (!fresh.ok()) {
        if (fresh.status().ToString() != last_failure) {
          last_failure = fresh.status().ToString();
          log::Warning("no master yet: {}", last_failure);
        }
        // A session the master no longer knows: open a new one.
        if (fresh.code() == Code::kBadSession) {
          std::lock_guard lock(mu_);
          session_id_ = 0;
        }
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, backoff, [&] { return stopping_; });
        backoff = std::min(backoff * 2, options_.reconnect_max);
        continue;
      }
      backoff = Millis(50);
      last_failure.clear();
      std::lock_guard lock(mu_);
      conn_ = *fresh;
      ++reconnects_;
      cv_.notify_all();
      continue;
    }
    // Callers read the replies; this thread only watches for the master closing the
    // connection (POLLRDHUP, not POLLIN: data is theirs), so a restart is noticed and the
    // session resumed before the next request, and keeps an idle connection alive.
    pollfd p{.fd = c->fd(), .events = POLLRDHUP, .revents = 0};
    const int ready = ::poll(&p, 1, 500);
    if (ready > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) {
      DropConnection(c, Status(Code::kDisconnected, "the master closed the connection"));
      continue;
    }
    bool idle = false;
    {
      std::lock_guard lock(mu_);
      idle = Clock::now() - last_send_ > std::chrono::seconds(2);
    }
    if (idle) {
      std::lock_guard slock(send_mu_);
      (void)c->Send(proto::ANTOAN_NOP, {});
      std::lock_guard lock(mu_);
      last_send_ = Clock::now();
    }
  }
}

void MasterSession::Deliver(net::Frame frame) {
  if (frame.payload.size() < 4) return;
  const uint32_t msgid = (uint32_t{frame.payload[0]} << 24) | (uint32_t{frame.payload[1]} << 16) |
                         (uint32_t{frame.payload[2]} << 8) | uint32_t{frame.payload[3]};
  auto it = pending_.find(msgid);
  if (it == pending_.end()) return;  // a reply to a caller that gave up
  if (it->second->on_reply != nullptr && *it->second->on_reply) (*it->second->on_reply)(frame);
  it->second->result = Result<net::Frame>(std::move(frame));
  it->second->cv.notify_one();
}

void MasterSession::PassReadingTurn(const Pending* leaving) {
  for (auto& [id, p] : pending_) {
    if (p != leaving && !p->result) {
      p->cv.notify_one();
      return;
    }
  }
}

void MasterSession::AwaitReply(std::unique_lock<std::mutex>& lock, Pending& pending,
                               const std::shared_ptr<net::BlockingClient>& c,
                               Clock::time_point deadline) {
  const auto sent = Clock::now();
  while (!pending.result && !stopping_ && Clock::now() < deadline) {
    if (reading_ || conn_ != c) {
      pending.cv.wait_until(lock, deadline);
      continue;
    }
    reading_ = true;
    lock.unlock();
    const auto left = std::chrono::ceil<Millis>(deadline - Clock::now());
    // NOPs included: they say the master is alive while an answer takes its time.
    auto f = c->ReceiveAny(std::clamp(left, Millis(1), Millis(500)));
    if (!f.ok() && f.code() != Code::kTimeout) DropConnection(c, f.status());
    lock.lock();
    reading_ = false;
    if (f.ok() && conn_ == c) {
      heard_ = Clock::now();
      // A frame of a connection already given up is not delivered: its caller has been
      // told kDisconnected, and a reconnect's account of the opens may already be on its way.
      if (f->type != proto::ANTOAN_NOP) Deliver(std::move(*f));
    } else if (!f.ok() && f.code() == Code::kTimeout) {
      DropIfSilent(lock, c, sent);
    }
  }
  if (!reading_) PassReadingTurn(&pending);
}

Result<net::Frame> MasterSession::Exchange(uint32_t type, const Encoder& encode, Retry retry,
                                           const Hooks& hooks) {
  for (int attempt = 0;; ++attempt) {
    Pending pending;
    uint32_t msgid = 0;
    std::shared_ptr<net::BlockingClient> c;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, options_.reconnect_wait, [&] { return conn_ || stopping_; }))
        return Status(Code::kDisconnected, "the master is unreachable");
      if (stopping_) return Status(Code::kDisconnected, "session closed");
      c = conn_;
      msgid = next_msgid_++;
      if (next_msgid_ == 0) next_msgid_ = 1;
      pending_[msgid] = &pending;
      if (hooks.on_reply) pending.on_reply = &hooks.on_reply;
      if (hooks.on_send) hooks.on_send();
      last_send_ = Clock::now();
    }
    auto payload = encode(msgid);
    Status sent = payload.ok() ? Status::Ok() : payload.status();
    if (sent.ok()) {
      std::lock_guard slock(send_mu_);
      sent = c->Send(type, *payload);
    }
    std::unique_lock lock(mu_);
    if (!sent.ok() && !payload.ok()) {
      pending_.erase(msgid);
      return sent;
    }
    bool was_sent = sent.ok();
    if (!was_sent) {
      lock.unlock();
      DropConnection(c, sent);
      lock.lock();
    }
    // A lock wait's "deadline" is a century away: it ends by its answer, a cancel, or the
    // connection.
    const auto timeout = hooks.no_deadline ? Clock::duration(std::chrono::hours(24 * 365 * 100))
                                           : Clock::duration(options_.request_timeout);
    AwaitReply(lock, pending, c, Clock::now() + timeout);
    pending_.erase(msgid);
    if (!pending.result && !stopping_) {
      lock.unlock();
      if (hooks.drop_on_timeout) DropConnection(c, Status(Code::kTimeout, "no answer"));
      return Status(Code::kTimeout, "the master did not answer");
    }
    if (!pending.result) return Status(Code::kDisconnected, "session closed");
    Result<net::Frame> r = std::move(*pending.result);
    if (r.ok()) return r;
    if (r.code() != Code::kDisconnected || attempt >= 20) return r;
    if (retry == Retry::kNever || (retry == Retry::kUnsent && was_sent)) return r;
  }
}

// ---- namespace calls ----

Result<proto::Attr> MasterSession::Lookup(uint32_t parent, std::string_view name, const Creds& c) {
  auto r = Call<proto::MatoclLookup>(proto::CltomaLookup{0, parent, std::string(name), c});
  if (!r.ok()) return r.status();
  return r->attr;
}

Result<proto::Attr> MasterSession::Getattr(uint32_t inode, const Creds& c) {
  auto r = Call<proto::MatoclGetattr>(proto::CltomaGetattr{0, inode, c});
  if (!r.ok()) return r.status();
  return r->attr;
}

Result<proto::Attr> MasterSession::Setattr(const proto::CltomaSetattr& req) {
  auto r = Call<proto::MatoclSetattr>(req);
  if (!r.ok()) return r.status();
  return r->attr;
}

Result<std::string> MasterSession::Readlink(uint32_t inode) {
  auto r = Call<proto::MatoclReadlink>(proto::CltomaReadlink{0, inode});
  if (!r.ok()) return r.status();
  return std::move(r->target);
}

Result<std::vector<proto::DirEntry>> MasterSession::Readdir(uint32_t inode, const Creds& c) {
  std::vector<proto::DirEntry> out;
  uint64_t cookie = 0;
  for (;;) {
    auto r = Call<proto::MatoclReaddir>(proto::CltomaReaddir{0, inode, c, cookie, 1000});
    if (!r.ok()) return r.status();
    for (auto& e : r->entries)
      out.push_back(std::move(e));
    if (r->eof || r->entries.empty()) return out;
    cookie = r->next_cookie;
  }
}

Result<proto::MatoclStatfs> MasterSession::Statfs() {
  return Call<proto::MatoclStatfs>(proto::CltomaStatfs{});
}

Result<proto::Attr> MasterSession::Open(uint32_t inode, uint8_t flags, const Creds& c) {
  proto::CltomaOpen req{0, inode, flags, c};
  // Counted when its answer comes on the connection in use; one applied on a connection
  // then lost is taken back by the reconnect's account, so a retry counts once. A truncating
  // open is not repeated (it would cut what was written in between).
  Hooks hooks{.on_send = {},
              .on_reply =
                  [this, inode, flags](const net::Frame& f) {
                    if (f.type == proto::MATOCL_OPEN) CountOpen(inode, flags);
                  },
              .drop_on_timeout = true};
  const Retry retry = (flags & proto::kOpenTruncate) == 0 ? Retry::kAlways : Retry::kUnsent;
  auto r = Decoded<proto::MatoclOpen>(Exchange(
      proto::CLTOMA_OPEN,
      [&](uint32_t msgid) {
        req.msgid = msgid;
        return proto::EncodePayload(req);
      },
      retry, hooks));
  if (!r.ok()) return r.status();
  return r->attr;
}

Status MasterSession::Release(uint32_t inode) {
  bool counted = false;
  auto uncount = [this, inode, &counted] {
    counted = true;
    auto it = opens_.find(inode);
    if (it != opens_.end() && --it->second.count == 0) opens_.erase(it);
  };
  Hooks hooks{.on_send = uncount, .on_reply = {}, .drop_on_timeout = true};
  auto f = Exchange(
      proto::CLTOMA_RELEASE,
      [&](uint32_t msgid) {
        return proto::EncodePayload(proto::CltomaRelease{msgid, inode});
      },
      Retry::kNever, hooks);
  if (f.ok()) return Status::Ok();  // the master answers every release with ok
  // Never given a connection (the master unreachable): the descriptor is gone all the same,
  // and the account of the reconnect that is due tells the master.
  std::lock_guard lock(mu_);
  if (!counted) uncount();
  return Status::Ok();
}

}  // namespace elk::client
