#include "master/server/leader_link.h"

#include <algorithm>
#include <utility>

#include "common/auth/auth_code.h"
#include "common/crc/crc32c.h"
#include "common/log/log.h"
#include "common/net/address.h"
#include "common/net/send_msg.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "common/protocol/mltoma.h"

namespace elk::master {

namespace proto = protocol;

namespace {
constexpr uint32_t kPiece = 1u << 20;    // bytes per MLTOMA_DOWNLOAD_CHUNK
constexpr uint64_t kPiecesInFlight = 4;  // pipelined piece requests
}  // namespace

LeaderLink::LeaderLink(net::EventLoop& loop, LeaderLinkOptions options, LeaderSink sink)
    : loop_(loop), options_(std::move(options)), sink_(std::move(sink)) {}

LeaderLink::~LeaderLink() {
  Stop();
}

void LeaderLink::Start() {
  if (state_ != State::kStopped) return;
  state_ = State::kDisconnected;
  Connect();
}

void LeaderLink::Stop() {
  state_ = State::kStopped;
  if (pending_) pending_->Cancel();
  pending_.reset();
  if (conn_) conn_->Close();
  conn_.reset();
  image_.clear();
  held_.clear();
}

void LeaderLink::Connect() {
  if (state_ == State::kStopped) return;
  auto addr = net::Resolve(options_.host, options_.port);
  if (!addr.ok()) {
    log::Warning("leader {}: {}", options_.host, addr.status().ToString());
    ScheduleReconnect();
    return;
  }
  net::Address leader = *addr;
  pending_ = net::ConnectAsync(
      loop_, leader, options_.timeout,
      [this, alive = std::weak_ptr<bool>(alive_), leader](Result<net::UniqueFd> fd) {
        if (alive.expired()) return;
        pending_.reset();
        OnConnected(std::move(fd), leader);
      });
}

void LeaderLink::OnConnected(Result<net::UniqueFd> fd, const net::Address& leader) {
  if (state_ == State::kStopped) return;
  if (!fd.ok()) {
    log::Info("leader {}: {}", leader.ToString(), fd.status().ToString());
    ScheduleReconnect();
    return;
  }
  net::ConnectionOptions copts;
  copts.max_payload = [](uint32_t type) { return proto::MaxPayload(type); };
  copts.idle_timeout = options_.timeout;
  copts.keepalive = options_.timeout / 3;
  auto conn = net::Connection::Create(
      loop_, std::move(*fd), leader, copts,
      {.on_frame = [this](net::Connection&, const proto::FrameView& f) { return OnFrame(f); },
       .on_close = [this](net::Connection&, const Status&) { OnClosed(); },
       .on_pressure = {}});
  if (!conn.ok()) {
    log::Warning("leader {}: {}", leader.ToString(), conn.status().ToString());
    ScheduleReconnect();
    return;
  }
  conn_ = std::move(*conn);
  conn_->set_name("leader " + leader.ToString());
  hello_ = false;
  challenged_ = false;
  state_ = State::kRegistering;
  if (Status s = SendMsg(proto::MakeHello(proto::Role::kMaster, options_.version)); !s.ok()) {
    conn_->Close(s);
  }
}

void LeaderLink::OnClosed() {
  if (sink_.commit) (void)sink_.commit();
  if (state_ != State::kStopped) state_ = State::kDisconnected;
  image_.clear();
  held_.clear();
  loop_.Defer([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    conn_.reset();
    ScheduleReconnect();
  });
}

void LeaderLink::ScheduleReconnect() {
  if (state_ == State::kStopped) return;
  loop_.RunAfter(options_.reconnect_delay, [this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired() && !conn_ && !pending_) Connect();
  });
}

template <typename M>
Status LeaderLink::SendMsg(const M& msg) {
  return net::SendMsg(conn_.get(), msg);
}

Status LeaderLink::OnFrame(const proto::FrameView& f) {
  if (state_ == State::kStopped) return Status::Ok();
  if (!hello_) return OnHello(f);
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
    case proto::MATOML_LEADER_INFO:
      return OnLeaderInfo(f);
    case proto::ANTOAN_STATUS: {
      auto m = proto::Decode<proto::AntoanStatus>(f);
      if (!m.ok()) return m.status();
      log::Error("the leader refused this follower: {}", m->message);
      return Status(m->status, "leader: " + m->message);
    }
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} from the leader", proto::TypeName(f.type)));
  }
}

Status LeaderLink::OnHello(const proto::FrameView& f) {
  if (f.type == proto::ANTOAN_STATUS) {
    auto m = proto::Decode<proto::AntoanStatus>(f);
    if (!m.ok()) return m.status();
    return Status(m->status, "leader refused: " + m->message);
  }
  if (f.type == proto::ANTOAN_NOT_LEADER) {
    auto m = proto::Decode<proto::AntoanNotLeader>(f);
    if (!m.ok()) return m.status();
    return Status(Code::kNotLeader,
                  fmt::format("{}:{} follows {}:{} itself: MASTER_FOLLOW must name the leader",
                              options_.host, options_.port, m->host, m->port));
  }
  auto hello = proto::Decode<proto::AntoanHello>(f);
  if (!hello.ok()) return hello.status();
  ELK_RETURN_IF_ERROR(proto::CheckHello(*hello, {proto::Role::kMaster}));
  hello_ = true;
  return Status::Ok();
}

Status LeaderLink::OnChallenge(const proto::FrameView& f) {
  if (f.type != proto::ANTOAN_AUTH_CHALLENGE) {
    return Status(Code::kProtocol,
                  fmt::format("{} instead of the AUTH_CODE challenge", proto::TypeName(f.type)));
  }
  auto challenge = proto::Decode<proto::AntoanAuthChallenge>(f);
  if (!challenge.ok()) return challenge.status();
  auto answer = auth::AnswerFor(options_.auth_code, challenge->challenge);
  if (!answer.ok()) {
    log::Error("{}: {}", conn_->name(), answer.status().message());
    return answer.status();
  }
  challenged_ = true;
  ELK_RETURN_IF_ERROR(SendMsg(proto::AntoanAuthAnswer{std::move(*answer)}));
  return SendMsg(proto::MltomaRegister{sink_.version(), options_.epoch});
}

Status LeaderLink::OnRegister(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlRegister>(f);
  if (!m.ok()) return m.status();
  if (m->status != Code::kOk) {
    return StartDownload(state_ == State::kRegistering
                             ? "the leader cannot resume from the version held"
                             : "the leader dropped records not yet sent");
  }
  if (state_ != State::kRegistering) return Status(Code::kProtocol, "unexpected registration");
  state_ = State::kStreaming;
  log::Info("following the leader at version {}: applying records from version {}",
            m->current_version, sink_.version() + 1);
  return Status::Ok();
}

void LeaderLink::Resync(const char* why) {
  ++resyncs_;
  if (!conn_ || !challenged_) return;  // the next registration says version 0 anyway
  if (Status s = StartDownload(why); !s.ok()) conn_->Close(s);
}

Status LeaderLink::StartDownload(const std::string& why) {
  if (sink_.commit) (void)sink_.commit();
  log::Warning("follower: image download from the leader: {}", why);
  state_ = State::kAwaitImage;
  image_.clear();
  held_.clear();
  return SendMsg(proto::MltomaDownloadStart{});
}

Status LeaderLink::OnChangelog(const proto::FrameView& f) {
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
  if (state_ == State::kStreaming) return OnStreamed(std::move(*rec));
  if (state_ == State::kDownloading) {
    uint64_t expected = (held_.empty() ? image_version_ : held_.back().version) + 1;
    if (rec->version != expected) {
      ++resyncs_;
      return StartDownload(fmt::format("record {} where {} was expected during the download",
                                       rec->version, expected));
    }
    held_.push_back(std::move(*rec));
  }
  return Status::Ok();  // the old stream, before the image's start: not ours to apply
}

Status LeaderLink::OnStreamed(changelog::Record rec) {
  const uint64_t expected = sink_.version() + 1;
  if (rec.version != expected) {
    ++resyncs_;
    return StartDownload(fmt::format("record {} where {} was expected ({})", rec.version, expected,
                                     rec.version < expected ? "a repeat" : "a gap"));
  }
  if (Status s = sink_.apply(rec); !s.ok()) {
    ++resyncs_;
    return StartDownload(fmt::format("record {} not applied: {}", rec.version, s.ToString()));
  }
  ScheduleCommit();
  return Status::Ok();
}

Status LeaderLink::OnDownloadStart(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlDownloadStart>(f);
  if (!m.ok()) return m.status();
  if (state_ != State::kAwaitImage) return Status(Code::kProtocol, "unexpected image start");
  if (m->status != Code::kOk) return Status(m->status, "the leader cannot send its image");
  image_size_ = m->size;
  image_version_ = m->version;
  requested_ = 0;
  image_.clear();
  image_.reserve(m->size);
  held_.clear();
  state_ = State::kDownloading;
  log::Info("follower: downloading the leader's image of version {} ({} bytes)", m->version,
            m->size);
  if (image_size_ == 0) return FinishDownload();
  return RequestPieces();
}

Status LeaderLink::RequestPieces() {
  while (requested_ < image_size_ && requested_ - image_.size() < kPiecesInFlight * kPiece) {
    uint32_t size = static_cast<uint32_t>(std::min<uint64_t>(kPiece, image_size_ - requested_));
    ELK_RETURN_IF_ERROR(SendMsg(proto::MltomaDownloadChunk{requested_, size}));
    requested_ += size;
  }
  return Status::Ok();
}

Status LeaderLink::OnDownloadChunk(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlDownloadChunk>(f);
  if (!m.ok()) return m.status();
  if (state_ != State::kDownloading) return Status::Ok();  // a download given up
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

Status LeaderLink::FinishDownload() {
  auto img = image::Decode(image_);
  if (!img.ok()) return img.status();
  if (img->version != image_version_) {
    return Status(Code::kCorruption,
                  fmt::format("image of version {} announced as {}", img->version, image_version_));
  }
  image_.clear();
  image_.shrink_to_fit();
  if (Status s = sink_.install_image(*img); !s.ok()) return s;
  ++images_;
  ELK_RETURN_IF_ERROR(SendMsg(proto::MltomaDownloadEnd{}));
  state_ = State::kStreaming;
  std::vector<changelog::Record> held = std::move(held_);
  held_.clear();
  log::Info("follower: image of version {} loaded; applying {} records held", image_version_,
            held.size());
  for (changelog::Record& r : held) {
    ELK_RETURN_IF_ERROR(OnStreamed(std::move(r)));
    if (state_ != State::kStreaming) break;  // a resync started
  }
  return Status::Ok();
}

Status LeaderLink::OnLeaderInfo(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MatomlLeaderInfo>(f);
  if (!m.ok()) return m.status();
  if (sink_.leader_info) sink_.leader_info(*m);
  return Status::Ok();
}

void LeaderLink::ScheduleCommit() {
  if (commit_scheduled_) return;
  commit_scheduled_ = true;
  loop_.Defer([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    commit_scheduled_ = false;
    if (!sink_.commit || !sink_.commit().ok() || state_ != State::kStreaming) return;
    if (Status s = SendMsg(proto::MltomaApplied{sink_.version()}); !s.ok()) {
      log::Warning("leader {}: applied version not sent: {}", options_.host, s.ToString());
    }
  });
}

}  // namespace elk::master
