#include "metalogger/metalogger.h"

#include <algorithm>
#include <utility>

#include "common/auth/auth_code.h"
#include "common/crc/crc32c.h"
#include "common/image/image_file.h"
#include "common/log/log.h"
#include "common/net/address.h"
#include "common/net/send_msg.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "common/protocol/matoml.h"
#include "common/protocol/mltoma.h"

namespace elk::metalogger {

namespace proto = protocol;

namespace {
constexpr uint32_t kPiece = 1u << 20;    // bytes per MLTOMA_DOWNLOAD_CHUNK
constexpr uint64_t kPiecesInFlight = 4;  // pipelined piece requests
}  // namespace

Metalogger::Metalogger(MetaloggerConfig config)
    : config_(std::move(config)), delay_(config_.reconnect_delay) {}

Metalogger::~Metalogger() {
  if (pending_) pending_->Cancel();
  if (conn_) conn_->Close();
  if (store_) (void)store_->Commit();
}

Result<std::unique_ptr<Metalogger>> Metalogger::Create(const MetaloggerConfig& config) {
  std::unique_ptr<Metalogger> ml(new Metalogger(config));  // private constructor
  ELK_RETURN_IF_ERROR(ml->Init());
  return ml;
}

Status Metalogger::Init() {
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  auto store = Store::Open(config_.data_path, config_.back_logs);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  last_version_ = store_->last_version();
  if (config_.bind_host != "*") {
    log::Warning("BIND_HOST {}: not supported yet, the system chooses the local address",
                 config_.bind_host);
  }
  loop_->RunEvery(config_.download_every, [this] {
    if (state_ == State::kStreaming) (void)StartDownload("periodic image download");
  });
  loop_->Defer([this] { Connect(); });
  log::Info("mfsmetalogger: holding version {} (image {}), master {}:{}", store_->last_version(),
            store_->image_version(), config_.master_host, config_.master_port);
  return Status::Ok();
}

Status Metalogger::Run() {
  Status s = loop_->Run();
  if (pending_) pending_->Cancel();
  pending_.reset();
  if (conn_) conn_->Close();
  conn_.reset();
  CommitNow();
  log::Info("mfsmetalogger stopped at version {}", store_->last_version());
  return s;
}

void Metalogger::Stop() {
  loop_->Stop();
}

// ---- connection ----

void Metalogger::Connect() {
  if (masters_.empty()) {
    auto list = net::MasterAddresses::Parse(config_.master_host, config_.master_port);
    if (!list.ok()) {
      log::Error("MASTER_HOST '{}': {}", config_.master_host, list.status().message());
      return ScheduleReconnect();
    }
    masters_ = std::move(*list);
  }
  if (masters_.RoundDone()) {
    Status s = masters_.Restart();
    if (!masters_.unresolved().empty()) log::Warning("masters: {}", masters_.unresolved());
    if (!s.ok()) return ScheduleReconnect();
  }
  auto to = masters_.Next();
  if (!to.ok()) {
    log::Warning("master: {}", to.status().ToString());
    return TryNextMaster();
  }
  trying_ = *to;
  net::Address master = to->address;
  std::weak_ptr<bool> alive = alive_;
  pending_ = net::ConnectAsync(*loop_, master, config_.timeout,
                               [this, alive, master](Result<net::UniqueFd> fd) {
                                 if (alive.expired()) return;
                                 pending_.reset();
                                 OnConnected(std::move(fd), master);
                               });
}

void Metalogger::TryNextMaster() {
  if (masters_.RoundDone()) return ScheduleReconnect();
  loop_->Defer([this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired()) Connect();
  });
}

void Metalogger::OnConnected(Result<net::UniqueFd> fd, const net::Address& master) {
  if (!fd.ok()) {
    log::Info("master {}: {}", master.ToString(), fd.status().ToString());
    TryNextMaster();
    return;
  }
  net::ConnectionOptions copts;
  copts.max_payload = [](uint32_t type) { return proto::MaxPayload(type); };
  copts.idle_timeout = config_.timeout;
  copts.keepalive = config_.timeout / 3;
  auto conn = net::Connection::Create(
      *loop_, std::move(*fd), master, copts,
      {.on_frame = [this](net::Connection&, const proto::FrameView& f) { return OnFrame(f); },
       .on_close = [this](net::Connection&, const Status& why) { OnClosed(why); },
       .on_pressure = {}});
  if (!conn.ok()) {
    log::Warning("master {}: {}", master.ToString(), conn.status().ToString());
    TryNextMaster();
    return;
  }
  conn_ = std::move(*conn);
  conn_->set_name("master " + master.ToString());
  hello_ = false;
  challenged_ = false;
  state_ = State::kRegistering;
  if (Status s = SendMsg(proto::MakeHello(proto::Role::kMetalogger, config_.version)); !s.ok()) {
    conn_->Close(s);
  }
}

void Metalogger::OnClosed(const Status& why) {
  // The connection logged why; a silent master (paused, or cut off) is tried last.
  const bool silent = why.code() == Code::kTimeout;
  CommitNow();
  state_ = State::kDisconnected;
  image_.clear();
  held_.clear();
  loop_->Defer([this, silent, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    conn_.reset();
    if (registered_) {
      // Our master is gone: a new round, from the list (a follower may lead by now).
      masters_.Forget();
      if (silent) masters_.TryLast(trying_.address);
      (void)masters_.Restart();
    }
    // A follower's leader is tried after the delay, so two masters that each name the
    // other cannot make us spin.
    const bool wait = registered_ || redirected_;
    registered_ = redirected_ = false;
    if (wait) return ScheduleReconnect();
    TryNextMaster();
  });
}

void Metalogger::ScheduleReconnect() {
  std::chrono::milliseconds wait = delay_;
  std::chrono::milliseconds cap = std::min<std::chrono::milliseconds>(
      config_.reconnect_delay * 8,
      std::max<std::chrono::milliseconds>(config_.reconnect_delay, std::chrono::seconds(30)));
  delay_ = std::min(delay_ * 2, cap);
  loop_->RunAfter(wait, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired()) Connect();
  });
}

template <typename M>
Status Metalogger::SendMsg(const M& msg) {
  return net::SendMsg(conn_.get(), msg);
}

// ---- frames ----

Status Metalogger::OnFrame(const proto::FrameView& f) {
  if (!hello_) return OnHello(f);
  if (f.type == proto::ANTOAN_NOT_LEADER) {
    auto nl = proto::Decode<proto::AntoanNotLeader>(f);
    if (!nl.ok()) return nl.status();
    if (!nl->host.empty()) {
      log::Info("{}: not the leader; the leader is {}:{}", conn_->name(), nl->host, nl->port);
      masters_.Redirect(nl->host, nl->port);
      redirected_ = true;
    }
    // A master that answers is alive (a follower, or one between leaders): no back-off.
    delay_ = config_.reconnect_delay;
    return Status(Code::kNotLeader, "the master follows another");
  }
  if (!challenged_ && f.type != proto::ANTOAN_STATUS) return OnChallenge(f);
  switch (f.type) {
    case proto::MATOML_REGISTER:
      return OnRegister(f);
    case proto::MATOML_CHANGELOG:
      return OnChangelog(f);
    case proto::MATOML_DOWNLOAD_START:
      return OnDownloadStart(f);
    case proto::MATOML_DOWNLOAD_CHUNK:
      return OnDownloadChunk(f);
    case proto::ANTOAN_STATUS: {
      auto m = proto::Decode<proto::AntoanStatus>(f);
      if (!m.ok()) return m.status();
      if (m->status == Code::kNoPassword || m->status == Code::kBadPassword) {
        log::Error("the master refused this metalogger: {}", m->message);
      }
      return Status(m->status, "master: " + m->message);
    }
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} from the master", proto::TypeName(f.type)));
  }
}

Status Metalogger::OnHello(const proto::FrameView& f) {
  if (f.type == proto::ANTOAN_STATUS) {
    auto m = proto::Decode<proto::AntoanStatus>(f);
    if (!m.ok()) return m.status();
    return Status(m->status, "master refused: " + m->message);
  }
  auto hello = proto::Decode<proto::AntoanHello>(f);
  if (!hello.ok()) return hello.status();
  ELK_RETURN_IF_ERROR(proto::CheckHello(*hello, {proto::Role::kMaster}));
  hello_ = true;
  return Status::Ok();
}

Status Metalogger::OnChallenge(const proto::FrameView& f) {
  if (f.type != proto::ANTOAN_AUTH_CHALLENGE) {
    return Status(Code::kProtocol,
                  fmt::format("{} instead of the AUTH_CODE challenge", proto::TypeName(f.type)));
  }
  auto challenge = proto::Decode<proto::AntoanAuthChallenge>(f);
  if (!challenge.ok()) return challenge.status();
  auto answer = auth::AnswerFor(config_.auth_code, challenge->challenge);
  if (!answer.ok()) {
    log::Error("{}: {}", conn_->name(), answer.status().message());
    return answer.status();
  }
  challenged_ = true;
  ELK_RETURN_IF_ERROR(SendMsg(proto::AntoanAuthAnswer{std::move(*answer)}));
  return SendMsg(proto::MltomaRegister{store_->last_version(), epoch_});
}

Status Metalogger::OnRegister(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlRegister>(f);
  if (!m.ok()) return m.status();
  if (m->epoch < epoch_) {
    // A leader whose term has passed (paused or cut off while another was elected): what it
    // sends now is not the cluster's history. The list is tried again.
    log::Warning("{}: registered us in epoch {}, but epoch {} has begun: an old leader, refused",
                 conn_->name(), m->epoch, epoch_);
    return Status(Code::kNotLeader, "a master of an older term");
  }
  registered_ = true;  // a leader answered: the next round starts with it
  masters_.Reached(trying_);
  offered_epoch_ = m->epoch;
  if (m->status != Code::kOk) {
    return StartDownload(state_ == State::kRegistering
                             ? "the master cannot resume from the version held"
                             : "the master dropped records not yet sent");
  }
  if (state_ != State::kRegistering) return Status(Code::kProtocol, "unexpected registration");
  if (store_->last_version() == 0) return StartDownload("no image held");
  ++registrations_;
  delay_ = config_.reconnect_delay;
  state_ = State::kStreaming;
  epoch_ = offered_epoch_;
  log::Info("master at version {}: streaming from version {}", m->current_version,
            store_->last_version() + 1);
  return Status::Ok();
}

Status Metalogger::StartDownload(const char* why) {
  CommitNow();
  log::Info("image download: {}", why);
  state_ = State::kAwaitImage;
  image_.clear();
  held_.clear();
  return SendMsg(proto::MltomaDownloadStart{});
}

Status Metalogger::OnChangelog(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlChangelog>(f);
  if (!m.ok()) return m.status();
  std::string_view line(reinterpret_cast<const char*>(m->record.data()), m->record.size());
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  auto rec = changelog::ParseRecord(line);
  if (!rec.ok()) return rec.status();
  if (rec->version != m->version) {
    return Status(Code::kProtocol,
                  fmt::format("record {} sent as version {}", rec->version, m->version));
  }
  switch (state_) {
    case State::kStreaming: {
      uint64_t expected = store_->last_version() + 1;
      if (rec->version != expected) {
        log::Warning("record {} where {} was expected: resync", rec->version, expected);
        return StartDownload(rec->version < expected ? "a repeated record" : "a gap");
      }
      ELK_RETURN_IF_ERROR(store_->Append(rec->version, rec->body));
      ScheduleCommit();
      return Status::Ok();
    }
    case State::kDownloading: {
      uint64_t expected = (held_.empty() ? image_version_ : held_.back().version) + 1;
      if (rec->version != expected) {
        log::Warning("record {} where {} was expected during download: restart", rec->version,
                     expected);
        return StartDownload("a gap during the download");
      }
      held_.push_back(std::move(*rec));
      return Status::Ok();
    }
    default:
      return Status::Ok();  // the old stream, before the image's start: not ours to keep
  }
}

Status Metalogger::OnDownloadStart(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlDownloadStart>(f);
  if (!m.ok()) return m.status();
  if (state_ != State::kAwaitImage) return Status(Code::kProtocol, "unexpected image start");
  if (m->status != Code::kOk) return Status(m->status, "the master cannot send its image");
  image_size_ = m->size;
  image_version_ = m->version;
  requested_ = 0;
  image_.clear();
  image_.reserve(m->size);
  held_.clear();
  state_ = State::kDownloading;
  log::Info("downloading the image of version {} ({} bytes)", m->version, m->size);
  if (image_size_ == 0) return FinishDownload();
  return RequestPieces();
}

Status Metalogger::RequestPieces() {
  while (requested_ < image_size_ && requested_ - image_.size() < kPiecesInFlight * kPiece) {
    uint32_t size = static_cast<uint32_t>(std::min<uint64_t>(kPiece, image_size_ - requested_));
    ELK_RETURN_IF_ERROR(SendMsg(proto::MltomaDownloadChunk{requested_, size}));
    requested_ += size;
  }
  return Status::Ok();
}

Status Metalogger::OnDownloadChunk(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlDownloadChunk>(f);
  if (!m.ok()) return m.status();
  if (state_ != State::kDownloading) return Status::Ok();  // a download we gave up
  if (m->offset != image_.size() || m->data.size() > image_size_ - image_.size()) {
    return Status(Code::kProtocol, fmt::format("image piece at {} while {} of {} bytes held",
                                               m->offset, image_.size(), image_size_));
  }
  if (crc::Crc32c(m->data) != m->crc) {
    return Status(Code::kCrc, fmt::format("image piece at {}: CRC mismatch", m->offset));
  }
  image_.append(reinterpret_cast<const char*>(m->data.data()), m->data.size());
  if (image_.size() == image_size_) return FinishDownload();
  return RequestPieces();
}

Status Metalogger::FinishDownload() {
  auto img = image::Decode(image_);
  if (!img.ok()) return img.status();
  if (img->version != image_version_) {
    return Status(Code::kCorruption,
                  fmt::format("image of version {} announced as {}", img->version, image_version_));
  }
  ELK_RETURN_IF_ERROR(store_->SaveImage(image_, image_version_));
  image_.clear();
  image_.shrink_to_fit();
  ++images_;
  ELK_RETURN_IF_ERROR(SendMsg(proto::MltomaDownloadEnd{}));
  for (const changelog::Record& r : held_)
    ELK_RETURN_IF_ERROR(store_->Append(r.version, r.body));
  held_.clear();
  state_ = State::kStreaming;
  epoch_ = offered_epoch_;
  delay_ = config_.reconnect_delay;
  CommitNow();
  log::Info("image of version {} saved; streaming from version {}", image_version_,
            store_->last_version() + 1);
  return Status::Ok();
}

// ---- writing ----

void Metalogger::ScheduleCommit() {
  if (commit_scheduled_) return;
  commit_scheduled_ = true;
  loop_->Defer([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    commit_scheduled_ = false;
    CommitNow();
  });
}

void Metalogger::CommitNow() {
  if (!store_) return;
  if (Status s = store_->Commit(); !s.ok()) {
    log::Error("changelog_ml: {}", s.ToString());
    if (conn_) conn_->Close(s);
    return;
  }
  last_version_ = store_->last_version();
}

}  // namespace elk::metalogger
