#include "master/server/chunkserver_link.h"

#include <algorithm>
#include <utility>

#include "common/log/log.h"
#include "common/net/send_msg.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/hello.h"
#include "common/protocol/matocs.h"
#include "master/monitor/history.h"

namespace elk::master {

namespace proto = protocol;

ChunkserverLink::ChunkserverLink(ChunkRegistry& registry, ChunkserverEvents& events, NowFn now,
                                 ChunkserverTotals& totals)
    : registry_(registry), events_(events), now_(std::move(now)), totals_(totals) {}

void AddDiskIo(const std::vector<proto::DiskReport>& before,
               const std::vector<proto::DiskReport>& after, ChunkserverTotals& totals) {
  for (const proto::DiskReport& now : after) {
    auto was = std::find_if(before.begin(), before.end(),
                            [&](const proto::DiskReport& b) { return b.path == now.path; });
    const uint64_t read = was == before.end() ? 0 : was->bytes_read;
    const uint64_t written = was == before.end() ? 0 : was->bytes_written;
    totals.bytes_read += monitor::CounterDelta(read, now.bytes_read);
    totals.bytes_written += monitor::CounterDelta(written, now.bytes_written);
  }
}

ChunkserverLink::~ChunkserverLink() {
  if (conn_) conn_->Close();
}

Status ChunkserverLink::Start(net::EventLoop& loop, net::UniqueFd fd, net::Address peer,
                              const ChunkserverLinkOptions& options, std::function<void()> on_close,
                              std::shared_ptr<void> slot) {
  peer_ = peer;
  on_close_ = std::move(on_close);
  net::ConnectionOptions copts;
  // Chunkserver messages only (3000-3999), each up to its own size class.
  copts.max_payload = [](uint32_t type) { return proto::MaxPayloadFrom(type, 3000, 3999); };
  copts.idle_timeout = options.timeout;
  copts.keepalive = options.timeout / 3;
  copts.hello_timeout = options.hello_timeout;
  copts.untrusted_max_payload = proto::kPreHelloMaxPayload;
  copts.slot = std::move(slot);
  auto conn = net::Connection::Create(
      loop, std::move(fd), peer, copts,
      {.on_frame = [this](net::Connection&, const proto::FrameView& f) { return OnFrame(f); },
       .on_close = [this](net::Connection&, const Status&) { OnClosed(); },
       .on_pressure = {}});
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  conn_->set_name("chunkserver " + peer.ToString());
  auth_ = PeerAuth(options.auth_code);
  not_leader_ = options.not_leader;
  epoch_ = options.epoch;
  return SendMsg(proto::MakeHello(proto::Role::kMaster, options.version));
}

void ChunkserverLink::Close() {
  if (conn_) conn_->Close();
}

template <typename M>
Status ChunkserverLink::SendMsg(const M& msg) {
  return net::SendMsg(conn_.get(), msg);
}

Status ChunkserverLink::OnFrame(const proto::FrameView& f) {
  if (refused_) return Status::Ok();
  if (!hello_) return OnHello(f);
  if (!auth_.passed()) {
    auto step = auth_.OnFirstFrame(f);
    if (!step.ok()) return Refuse(step.status());
    // Proven (or no code asked for): only now may the peer send full-size frames.
    conn_->Trust();
    if (*step == PeerAuth::Step::kConsumed) {
      if (auth_.required()) log::Info("{}: AUTH_CODE proven", conn_->name());
      return Status::Ok();
    }
  }
  switch (f.type) {
    case proto::CSTOMA_REGISTER:
      return OnRegister(f);
    case proto::CSTOMA_REGISTER_CHUNKS:
      return OnChunks(f);
    case proto::CSTOMA_REGISTER_DONE:
      return OnRegisterDone();
    case proto::CSTOMA_SPACE:
      return OnSpace(f);
    case proto::CSTOMA_CHUNK_DAMAGED:
    case proto::CSTOMA_CHUNK_LOST:
      return OnTrouble(f);
    case proto::CSTOMA_DISKS:
      return OnDisks(f);
    case proto::CSTOMA_CREATE_CHUNK:
    case proto::CSTOMA_DELETE_CHUNK:
    case proto::CSTOMA_SET_VERSION:
    case proto::CSTOMA_DUPLICATE_CHUNK:
    case proto::CSTOMA_TRUNCATE_CHUNK:
    case proto::CSTOMA_DUPTRUNC_CHUNK:
    case proto::CSTOMA_REPLICATE_CHUNK:
      return OnCommandReply(f);
    case proto::ANTOAN_STATUS:
      return Status::Ok();
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} from a chunkserver", proto::TypeName(f.type)));
  }
}

Status ChunkserverLink::OnHello(const proto::FrameView& f) {
  auto hello = proto::Decode<proto::AntoanHello>(f);
  if (!hello.ok()) return hello.status();
  if (Status s = proto::CheckHello(*hello, {proto::Role::kChunkserver}); !s.ok()) {
    (void)SendMsg(proto::AntoanStatus{s.code(), s.message()});
    conn_->CloseAfterFlush(s);
    return Status::Ok();
  }
  if (not_leader_) {
    if (auto redirect = not_leader_(hello->role)) {
      log::Info("chunkserver {}: not the leader; sent to {}:{}", peer_.ToString(), redirect->host,
                redirect->port);
      (void)SendMsg(*redirect);
      refused_ = true;
      conn_->CloseAfterFlush(Status(Code::kNotLeader, "sent to the leader"));
      return Status::Ok();
    }
  }
  hello_ = true;
  software_version_ = hello->software_version;
  return SendMsg(auth_.Challenge());
}

Status ChunkserverLink::Refuse(const Status& why) {
  log::Warning("chunkserver {} refused: {}", peer_.ToString(), why.message());
  (void)SendMsg(proto::AntoanStatus{why.code(), why.message()});
  refused_ = true;
  conn_->CloseAfterFlush(why);
  return Status::Ok();
}

Status ChunkserverLink::OnRegister(const proto::FrameView& f) {
  auto m = proto::Decode<proto::CstomaRegister>(f);
  if (!m.ok()) return m.status();
  if (registered_ || id_ != kNoServer) return Status(Code::kProtocol, "registered twice");
  ServerAddress addr{m->addr.ip != 0 ? m->addr.ip : peer_.ip, m->addr.port};
  auto id = registry_.RegisterServer(addr, m->used_space, m->total_space, now_());
  if (!id.ok()) {
    (void)SendMsg(proto::MatocsRegister{Code::kBadRegister, 0, 0});
    conn_->CloseAfterFlush(id.status());
    return Status::Ok();
  }
  id_ = *id;
  conn_->set_name(
      fmt::format("chunkserver {} (id {})", net::Address{addr.ip, addr.port}.ToString(), id_));
  return Status::Ok();
}

Status ChunkserverLink::OnChunks(const proto::FrameView& f) {
  if (id_ == kNoServer) return Status(Code::kProtocol, "chunks before CSTOMA_REGISTER");
  auto m = proto::Decode<proto::CstomaRegisterChunks>(f);
  if (!m.ok()) return m.status();
  std::vector<ReportedChunk> chunks;
  chunks.reserve(m->chunks.size());
  for (const auto& c : m->chunks)
    chunks.push_back({c.chunkid, c.version, c.on_marked_disk});
  chunks_reported_ += chunks.size();
  return registry_.ServerReportsChunks(id_, chunks);
}

Status ChunkserverLink::OnRegisterDone() {
  if (id_ == kNoServer) return Status(Code::kProtocol, "CSTOMA_REGISTER_DONE before REGISTER");
  registered_ = true;
  log::Info("{} registered with {} chunks", conn_->name(), chunks_reported_);
  if (const ChunkServer* s = registry_.servers().Find(id_)) LogUntrusted(*s);
  return SendMsg(proto::MatocsRegister{Code::kOk, id_, epoch_ ? epoch_() : 0});
}

void ChunkserverLink::LogUntrusted(const ChunkServer& s) const {
  if (s.unknown_reported > ChunkRegistry::kMaxOrphansPerRegistration) {
    log::Warning(
        "{}: reported {} chunks the master does not know; {} queued for deletion, "
        "the rest are left for its next registration",
        conn_->name(), s.unknown_reported, ChunkRegistry::kMaxOrphansPerRegistration);
  } else if (s.unknown_reported > 0) {
    log::Info("{}: {} chunks the master does not know, queued for deletion", conn_->name(),
              s.unknown_reported);
  }
  if (s.newer_reported > 0) {
    log::Warning(
        "{}: {} copies with a version newer than the master's: kept as invalid, "
        "the master's versions unchanged",
        conn_->name(), s.newer_reported);
  }
}

Status ChunkserverLink::OnSpace(const proto::FrameView& f) {
  if (id_ == kNoServer) return Status(Code::kProtocol, "CSTOMA_SPACE before CSTOMA_REGISTER");
  auto m = proto::Decode<proto::CstomaSpace>(f);
  if (!m.ok()) return m.status();
  ELK_RETURN_IF_ERROR(registry_.UpdateServer(id_, m->used_space, m->total_space, 0));
  // Disks marked `*` are counted apart (removal_*): a server whose every disk is marked
  // reports no regular space at all.
  const bool all_marked = m->removal_total_space > 0 && m->total_space == 0;
  return registry_.SetServerMarkedForRemoval(id_, all_marked);
}

Status ChunkserverLink::OnTrouble(const proto::FrameView& f) {
  if (id_ == kNoServer) return Status(Code::kProtocol, "chunk report before CSTOMA_REGISTER");
  bool damaged = f.type == proto::CSTOMA_CHUNK_DAMAGED;
  // Both reports have the same layout: chunkids:(count:32 chunkid:64 ...).
  auto m = proto::Decode<proto::CstomaChunkLost>(f.payload);
  if (!m.ok()) return m.status();
  const std::vector<uint64_t>& ids = m->chunkids;
  for (uint64_t id : ids) {
    log::Warning("{}: chunk {:016X} {}", conn_->name(), id, damaged ? "damaged" : "lost");
    (void)(damaged ? registry_.ChunkDamaged(id_, id) : registry_.ChunkLost(id_, id));
  }
  return Status::Ok();
}

Status ChunkserverLink::OnDisks(const proto::FrameView& f) {
  if (id_ == kNoServer) return Status(Code::kProtocol, "CSTOMA_DISKS before CSTOMA_REGISTER");
  auto m = proto::Decode<proto::CstomaDisks>(f);
  if (!m.ok()) return m.status();
  // The first report of a link is the baseline: a server that only reconnected (or
  // restarted and already served some I/O) must not show its whole past as one burst.
  if (disks_reported_) AddDiskIo(disks_, m->disks, totals_);
  disks_reported_ = true;
  disks_ = std::move(m->disks);
  return Status::Ok();
}

Status ChunkserverLink::OnCommandReply(const proto::FrameView& f) {
  if (id_ == kNoServer) return Status(Code::kProtocol, "command reply before CSTOMA_REGISTER");
  ChunkId chunk = 0;
  bool ok = false;
  Status s;
  if (f.type == proto::CSTOMA_REPLICATE_CHUNK) {
    auto m = proto::Decode<proto::CstomaReplicateChunk>(f);
    if (!m.ok()) return m.status();
    chunk = m->chunkid;
    ok = m->status == Code::kOk;
    s = registry_.ReplicationDone(chunk, id_, m->version, ok);
    if (ok) totals_.replications++;
  } else {
    // Every other reply has the same layout: chunkid:64 status:8.
    auto m = proto::Decode<proto::CstomaCreateChunk>(f.payload);
    if (!m.ok()) return m.status();
    chunk = m->chunkid;
    ok = m->status == Code::kOk;
    switch (f.type) {
      case proto::CSTOMA_CREATE_CHUNK:
        s = registry_.CreateDone(chunk, id_, ok);
        break;
      case proto::CSTOMA_SET_VERSION:
      case proto::CSTOMA_TRUNCATE_CHUNK:  // a truncate sets the new version as it cuts
        s = registry_.SetVersionDone(chunk, id_, ok);
        break;
      case proto::CSTOMA_DUPLICATE_CHUNK:
      case proto::CSTOMA_DUPTRUNC_CHUNK:
        s = registry_.DuplicateDone(chunk, id_, ok);
        break;
      case proto::CSTOMA_DELETE_CHUNK:
        s = registry_.DeleteDone(chunk, id_, ok);
        if (ok) totals_.deletions++;  // only the replication loop sends deletions
        break;
      default:
        break;
    }
  }
  if (!ok)
    log::Warning("{}: {} of chunk {:016X} failed", conn_->name(), proto::TypeName(f.type), chunk);
  if (!s.ok()) log::Warning("{}: {}: {}", conn_->name(), proto::TypeName(f.type), s.ToString());
  events_.OnChunkReply(id_, f.type, chunk, ok);
  return Status::Ok();
}

void ChunkserverLink::OnClosed() {
  if (id_ != kNoServer) {
    (void)registry_.ServerDisconnected(id_, now_());
    events_.OnServerGone(id_);
  }
  registered_ = false;
  if (on_close_) on_close_();
}

Status ChunkserverLink::SendCreate(ChunkId chunk, uint32_t version) {
  return SendMsg(proto::MatocsCreateChunk{chunk, version});
}
Status ChunkserverLink::SendDelete(ChunkId chunk, uint32_t version) {
  return SendMsg(proto::MatocsDeleteChunk{chunk, version});
}
Status ChunkserverLink::SendSetVersion(ChunkId chunk, uint32_t version, uint32_t old_version) {
  return SendMsg(proto::MatocsSetVersion{chunk, version, old_version});
}
Status ChunkserverLink::SendDuplicate(ChunkId new_chunk, uint32_t new_version, ChunkId old_chunk,
                                      uint32_t old_version) {
  return SendMsg(proto::MatocsDuplicateChunk{new_chunk, new_version, old_chunk, old_version});
}
Status ChunkserverLink::SendTruncate(ChunkId chunk, uint32_t length, uint32_t version,
                                     uint32_t old_version) {
  return SendMsg(proto::MatocsTruncateChunk{chunk, length, version, old_version});
}
Status ChunkserverLink::SendDuplicateTruncate(ChunkId new_chunk, uint32_t new_version,
                                              ChunkId old_chunk, uint32_t old_version,
                                              uint32_t length) {
  return SendMsg(
      proto::MatocsDuptruncChunk{new_chunk, new_version, old_chunk, old_version, length});
}
Status ChunkserverLink::SendReplicate(ChunkId chunk, uint32_t version,
                                      const std::vector<ServerAddress>& sources) {
  proto::MatocsReplicateChunk m{chunk, version, {}};
  for (const auto& a : sources)
    m.sources.push_back({a.ip, a.port});
  return SendMsg(m);
}

// ---- hub ----

ChunkserverHub::ChunkserverHub(net::EventLoop& loop, ChunkRegistry& registry,
                               ChunkserverEvents& events, NowFn now, ChunkserverLinkOptions options)
    : loop_(loop),
      registry_(registry),
      events_(events),
      now_(std::move(now)),
      options_(std::move(options)) {}

ChunkserverHub::~ChunkserverHub() {
  CloseAll();
}

void ChunkserverHub::Accept(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot) {
  auto link = std::make_unique<ChunkserverLink>(registry_, events_, now_, totals_);
  ChunkserverLink* raw = link.get();
  std::weak_ptr<bool> alive = alive_;
  auto on_close = [this, raw, alive] {
    // Dropped after the connection's callback returns, never inside it.
    loop_.Defer([this, raw, alive] {
      if (!alive.expired()) links_.erase(raw);
    });
  };
  if (Status s = link->Start(loop_, std::move(fd), peer, options_, on_close, std::move(slot));
      !s.ok()) {
    log::Warning("chunkserver {}: {}", peer.ToString(), s.ToString());
    return;
  }
  links_.emplace(raw, std::move(link));
}

ChunkserverLink* ChunkserverHub::Find(ServerId id) {
  for (auto& [raw, link] : links_) {
    if (link->id() == id && link->registered()) return raw;
  }
  return nullptr;
}

void ChunkserverHub::CloseAll() {
  // Dropping a link drops its connection silently (no on_close): tell the registry here.
  for (auto& [raw, link] : links_) {
    if (link->id() != kNoServer) (void)registry_.ServerDisconnected(link->id(), now_());
  }
  links_.clear();
}

}  // namespace elk::master
