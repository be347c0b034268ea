#include "chunkserver/server/master_link.h"

#include <sys/socket.h>

#include <algorithm>

#include "common/auth/auth_code.h"
#include "common/log/log.h"
#include "common/protocol/codec.h"
#include "common/protocol/compare.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocs.h"

namespace elk::chunkserver {

namespace proto = protocol;

MasterLink::MasterLink(net::EventLoop& loop, const ServerConfig& config, net::Address listen,
                       Callbacks callbacks)
    : loop_(loop),
      config_(config),
      listen_(listen),
      callbacks_(std::move(callbacks)),
      delay_(config.master_reconnection_delay) {}

MasterLink::~MasterLink() {
  if (pending_) pending_->Cancel();
  loop_.Cancel(retry_timer_);
  loop_.Cancel(heartbeat_timer_);
  if (conn_) conn_->Close();
}

void MasterLink::Start() {
  heartbeat_timer_ = loop_.RunEvery(config_.heartbeat, [this] {
    if (!registered()) return;
    SendSpace(callbacks_.space());
    SendDisks(false);
  });
  Connect();
}

void MasterLink::Connect() {
  retry_timer_ = net::kNoTimer;
  if (masters_.empty()) {
    // Checked when the config was read; a test's config may hold anything.
    auto list = net::MasterAddresses::Parse(config_.master_host, config_.master_port);
    if (!list.ok()) {
      log::Error("MASTER_HOST '{}': {}", config_.master_host, list.status().message());
      return RetryLater();
    }
    masters_ = std::move(*list);
  }
  if (masters_.RoundDone()) {
    Status s = masters_.Restart();
    if (!masters_.unresolved().empty()) log::Warning("masters: {}", masters_.unresolved());
    if (!s.ok()) return RetryLater();
  }
  auto to = masters_.Next();
  if (!to.ok()) {
    log::Warning("master: {}", to.status().ToString());
    return TryNextMaster();
  }
  trying_ = *to;
  state_ = State::kConnecting;
  std::weak_ptr<int> alive = alive_;
  pending_ = net::ConnectAsync(loop_, to->address, config_.master_timeout,
                               [this, alive, at = to->address](Result<net::UniqueFd> fd) {
                                 if (alive.expired()) return;
                                 OnConnected(std::move(fd), at);
                               });
}

void MasterLink::TryNextMaster() {
  state_ = State::kIdle;
  if (masters_.RoundDone() || retry_timer_ != net::kNoTimer) return RetryLater();
  retry_timer_ = loop_.RunAfter(std::chrono::milliseconds(0), [this] { Connect(); });
}

void MasterLink::RetryLater() {
  state_ = State::kIdle;
  if (retry_timer_ != net::kNoTimer) return;
  log::Info("reconnecting to the master in {} ms", delay_.count());
  retry_timer_ = loop_.RunAfter(delay_, [this] { Connect(); });
  delay_ = std::min(delay_ * 2,
                    std::max(config_.master_reconnection_max, config_.master_reconnection_delay));
}

void MasterLink::OnConnected(Result<net::UniqueFd> fd, net::Address master) {
  pending_.reset();
  if (!fd.ok()) {
    log::Warning("cannot connect to the master {}: {}", master, fd.status().ToString());
    return TryNextMaster();
  }
  if (listen_.ip == net::kAnyIp && config_.announce_ip == 0) {
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    if (::getsockname(fd->get(), reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      listen_.ip = net::Address::FromSockaddr(local).ip;
    }
  }
  net::ConnectionOptions options;
  options.max_payload = ProtocolMaxPayload;
  options.keepalive = config_.master_timeout / 3;
  options.idle_timeout = config_.master_timeout;
  std::weak_ptr<int> alive = alive_;
  auto conn = net::Connection::Create(
      loop_, std::move(*fd), master, options,
      {.on_frame = [this](net::Connection&, const proto::FrameView& f) { return OnFrame(f); },
       .on_close =
           [this, alive](net::Connection&, const Status& why) {
             if (!alive.expired()) OnClose(why);
           }});
  if (!conn.ok()) {
    log::Warning("master {}: {}", master, conn.status().ToString());
    return TryNextMaster();
  }
  conn_ = std::move(*conn);
  conn_->set_name(fmt::format("master {}", master));
  ++connects_;
  state_ = State::kHello;
  (void)SendMsg(*conn_, proto::MakeHello(proto::Role::kChunkserver, "elkfs"));
}

void MasterLink::OnClose(const Status& why) {
  log::Warning("lost the master: {}", why.ToString());
  const bool was_registered = state_ == State::kRegistered;
  conn_.reset();
  if (was_registered) {
    // Our master is gone: a new round, from the list (a follower may lead by now).
    masters_.Forget();
    // Silent, not closed: paused or cut off, its kernel may still accept a connection it
    // never answers. The other masters are tried first.
    if (why.code() == Code::kTimeout) masters_.TryLast(trying_.address);
    (void)masters_.Restart();
  }
  if (was_registered || redirected_) {
    // A follower's leader is tried after the delay, so two masters that each name the
    // other cannot make us spin.
    redirected_ = false;
    return RetryLater();
  }
  TryNextMaster();
}

Status MasterLink::OnFrame(const proto::FrameView& frame) {
  if (state_ == State::kHello) {
    auto hello = proto::Decode<proto::AntoanHello>(frame);
    if (!hello.ok()) return hello.status();
    ELK_RETURN_IF_ERROR(proto::CheckHello(*hello, {proto::Role::kMaster}));
    state_ = State::kAuth;
    return Status::Ok();
  }
  if (frame.type == proto::ANTOAN_NOT_LEADER) {
    auto nl = proto::Decode<proto::AntoanNotLeader>(frame);
    if (!nl.ok()) return nl.status();
    if (!nl->host.empty()) {
      log::Info("master {}: not the leader; the leader is {}:{}", conn_->name(), nl->host,
                nl->port);
      masters_.Redirect(nl->host, nl->port);
      redirected_ = true;
      highest_epoch_ = std::max(highest_epoch_, nl->epoch);  // a follower knows the term
    }
    // A master that answers is alive (a follower, or one between leaders): no back-off.
    delay_ = config_.master_reconnection_delay;
    return Status(Code::kNotLeader, "the master follows another");
  }
  if (frame.type == proto::ANTOAN_STATUS) {
    auto st = proto::Decode<proto::AntoanStatus>(frame);
    if (st.ok() && (st->status == Code::kNoPassword || st->status == Code::kBadPassword)) {
      log::Error("the master refused this chunkserver: {}", st->message);
    } else if (st.ok()) {
      log::Warning("master says: {} {}", code_name(st->status), st->message);
    }
    return Status::Ok();
  }
  if (state_ == State::kAuth) return OnChallenge(frame);
  if (frame.type == proto::MATOCS_REGISTER) {
    auto reply = proto::Decode<proto::MatocsRegister>(frame);
    if (!reply.ok()) return reply.status();
    return OnRegistered(*reply);
  }
  if (state_ != State::kRegistered) {
    return Status(Code::kProtocol,
                  fmt::format("{} before registration", proto::TypeName(frame.type)));
  }
  return callbacks_.on_command(frame);
}

Status MasterLink::OnRegistered(const proto::MatocsRegister& reply) {
  if (reply.status != Code::kOk) {
    return Status(reply.status, "the master refused our registration");
  }
  if (reply.epoch < highest_epoch_) {
    // An old leader (paused, or cut off from etcd) that has not noticed a newer term: it
    // must not command our chunks. The link closes; the next connect starts from
    // MASTER_HOST, which sends us to the current leader.
    log::Error("{}: registered us in epoch {}, but epoch {} has begun: an old leader, refused",
               conn_->name(), reply.epoch, highest_epoch_);
    return Status(Code::kNotLeader, fmt::format("master of epoch {} fenced (epoch {} seen)",
                                                reply.epoch, highest_epoch_));
  }
  highest_epoch_ = reply.epoch;
  server_id_ = reply.server_id;
  state_ = State::kRegistered;
  delay_ = config_.master_reconnection_delay;
  masters_.Reached(trying_);
  log::Info("registered with the master as server {} (epoch {})", server_id_, reply.epoch);
  FlushReports();
  SendDisks(true);
  return Status::Ok();
}

Status MasterLink::OnChallenge(const proto::FrameView& frame) {
  if (frame.type != proto::ANTOAN_AUTH_CHALLENGE) {
    return Status(Code::kProtocol, fmt::format("{} instead of the AUTH_CODE challenge",
                                               proto::TypeName(frame.type)));
  }
  auto challenge = proto::Decode<proto::AntoanAuthChallenge>(frame);
  if (!challenge.ok()) return challenge.status();
  auto answer = auth::AnswerFor(config_.auth_code, challenge->challenge);
  if (!answer.ok()) {
    log::Error("{}: {}", conn_->name(), answer.status().message());
    return answer.status();
  }
  ELK_RETURN_IF_ERROR(SendMsg(*conn_, proto::AntoanAuthAnswer{std::move(*answer)}));
  state_ = State::kRegistering;
  return Register();
}

Status MasterLink::Register() {
  const SpaceSummary space = callbacks_.space();
  const std::vector<chunkstore::ChunkName> chunks = callbacks_.chunks();
  const std::set<uint64_t> marked =
      callbacks_.marked_chunks ? callbacks_.marked_chunks() : std::set<uint64_t>{};
  const uint32_t ip = config_.announce_ip != 0 ? config_.announce_ip : listen_.ip;
  ELK_RETURN_IF_ERROR(
      SendMsg(*conn_, proto::CstomaRegister{.addr = {.ip = ip, .port = listen_.port},
                                            .used_space = space.used,
                                            .total_space = space.total,
                                            .chunk_count = static_cast<uint32_t>(chunks.size())}));
  const size_t batch = std::max<size_t>(config_.chunks_per_register_packet, 1);
  for (size_t at = 0; at < chunks.size(); at += batch) {
    proto::CstomaRegisterChunks msg;
    const size_t end = std::min(chunks.size(), at + batch);
    msg.chunks.reserve(end - at);
    for (size_t i = at; i < end; ++i) {
      msg.chunks.push_back({.chunkid = chunks[i].id,
                            .version = chunks[i].version,
                            .on_marked_disk = marked.count(chunks[i].id) > 0});
    }
    ELK_RETURN_IF_ERROR(SendMsg(*conn_, msg));
  }
  log::Info("registering with the master: {} chunks, {} of {} bytes used", chunks.size(),
            space.used, space.total);
  return SendMsg(*conn_, proto::CstomaRegisterDone{});
}

void MasterLink::SendSpace(const SpaceSummary& s) {
  (void)Send(proto::CstomaSpace{.used_space = s.used,
                                .total_space = s.total,
                                .chunk_count = s.chunks,
                                .removal_used_space = s.removal_used,
                                .removal_total_space = s.removal_total,
                                .removal_chunk_count = s.removal_chunks});
}

void MasterLink::SendDisks(bool force) {
  if (!callbacks_.disks || !registered()) return;
  proto::CstomaDisks msg{.disks = callbacks_.disks()};
  if (msg.disks.empty()) return;
  if (!force && proto::FieldsEqual(msg.disks, disks_sent_)) return;
  // A server with very many disks (or very long paths) sends those that fit the limit.
  while (!msg.disks.empty() && proto::EncodedSize(msg) > proto::MaxPayload(proto::CSTOMA_DISKS))
    msg.disks.pop_back();
  disks_sent_ = msg.disks;
  (void)Send(msg);
}

void MasterLink::ReportDamaged(const std::vector<uint64_t>& ids) {
  damaged_.insert(ids.begin(), ids.end());
  if (!ids.empty()) (void)Send(proto::CstomaChunkDamaged{.chunkids = ids});
}

void MasterLink::ReportLost(std::vector<uint64_t> ids) {
  if (ids.empty()) return;
  for (uint64_t id : ids)
    damaged_.erase(id);
  if (!registered()) {
    // Lost chunks are left out of the next registration anyway; kept for the log only.
    unsent_lost_.insert(unsent_lost_.end(), ids.begin(), ids.end());
    return;
  }
  (void)Send(proto::CstomaChunkLost{.chunkids = std::move(ids)});
}

void MasterLink::FlushReports() {
  if (!damaged_.empty()) {
    (void)Send(proto::CstomaChunkDamaged{.chunkids = {damaged_.begin(), damaged_.end()}});
  }
  if (!unsent_lost_.empty()) {
    (void)Send(proto::CstomaChunkLost{.chunkids = std::move(unsent_lost_)});
    unsent_lost_.clear();
  }
}

}  // namespace elk::chunkserver
