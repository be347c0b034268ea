#include "master/server/metalogger_link.h"

#include <algorithm>
#include <utility>

#include "common/changelog/record.h"
#include "common/crc/crc32c.h"
#include "common/log/log.h"
#include "common/net/send_msg.h"
#include "common/protocol/codec.h"
#include "common/protocol/hello.h"
#include "common/protocol/matoml.h"
#include "common/protocol/mltoma.h"

namespace elk::master {

namespace proto = protocol;

namespace {
constexpr uint32_t kMaxPiece = 1u << 20;  // MLTOMA_DOWNLOAD_CHUNK size limit
}  // namespace

// ---- ChangelogRing ----

ChangelogRing::ChangelogRing(uint64_t base, size_t max_records, size_t max_bytes)
    : base_(base), max_records_(std::max<size_t>(max_records, 1)), max_bytes_(max_bytes) {}

void ChangelogRing::Add(uint64_t version, std::string line) {
  if (version != last() + 1) {
    log::Warning("changelog ring: version {} after {}: ring restarted", version, last());
    lines_.clear();
    bytes_ = 0;
    base_ = version - 1;
  }
  bytes_ += line.size();
  lines_.push_back(std::move(line));
  while (lines_.size() > max_records_ || (bytes_ > max_bytes_ && lines_.size() > 1)) {
    bytes_ -= lines_.front().size();
    lines_.pop_front();
    ++base_;
  }
}

const std::string* ChangelogRing::Find(uint64_t version) const {
  if (version <= base_ || version > last()) return nullptr;
  return &lines_[version - base_ - 1];
}

// ---- MetaloggerLink ----

MetaloggerLink::MetaloggerLink(MetaloggerHub& hub) : hub_(hub) {}

MetaloggerLink::~MetaloggerLink() {
  if (conn_) conn_->Close();
}

Status MetaloggerLink::Start(net::UniqueFd fd, net::Address peer, std::function<void()> on_close,
                             std::shared_ptr<void> slot) {
  peer_ = peer;
  on_close_ = std::move(on_close);
  net::ConnectionOptions copts;
  // Metalogger messages only (8000-8999), each up to its own size class.
  copts.max_payload = [](uint32_t type) { return proto::MaxPayloadFrom(type, 8000, 8999); };
  copts.idle_timeout = hub_.options_.timeout;
  copts.keepalive = hub_.options_.timeout / 3;
  copts.hello_timeout = hub_.options_.hello_timeout;
  copts.untrusted_max_payload = proto::kPreHelloMaxPayload;
  copts.slot = std::move(slot);
  copts.high_water = hub_.options_.high_water;
  // Image pieces are pulled, records stop at high water: the hard limit is a safety net.
  copts.hard_limit = std::max(copts.high_water * 4, size_t{64} << 20);
  auto conn = net::Connection::Create(
      hub_.loop_, std::move(fd), peer, copts,
      {.on_frame = [this](net::Connection&, const proto::FrameView& f) { return OnFrame(f); },
       .on_close =
           [this](net::Connection&, const Status&) {
             streaming_ = false;
             if (on_close_) on_close_();
           },
       .on_pressure =
           [this](net::Connection&, bool over) {
             if (!over)
               hub_.loop_.Defer([this, alive = std::weak_ptr<net::Connection>(conn_)] {
                 if (!alive.expired()) Pump();
               });
           }});
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  conn_->set_name("metalogger " + peer.ToString());
  auth_ = PeerAuth(hub_.options_.auth_code);
  return SendMsg(proto::MakeHello(proto::Role::kMaster, hub_.options_.version));
}

void MetaloggerLink::Close() {
  if (conn_) conn_->Close();
}

void MetaloggerLink::CloseAfterFlush() {
  streaming_ = false;
  if (conn_) conn_->CloseAfterFlush();
}

template <typename M>
Status MetaloggerLink::SendMsg(const M& msg) {
  return net::SendMsg(conn_.get(), msg);
}

Status MetaloggerLink::OnFrame(const proto::FrameView& f) {
  if (refused_) return Status::Ok();
  if (!hello_) return OnHello(f);
  if (!auth_.passed()) {
    auto step = auth_.OnFirstFrame(f);
    if (!step.ok()) return Refuse(step.status());
    // Proven (or no code asked for): only now may the peer send full-size frames.
    conn_->Trust();
    if (*step == PeerAuth::Step::kConsumed) {
      if (auth_.required()) log::Info("metalogger {}: AUTH_CODE proven", peer_.ToString());
      return Status::Ok();
    }
  }
  switch (f.type) {
    case proto::MLTOMA_REGISTER:
      return OnRegister(f);
    case proto::MLTOMA_DOWNLOAD_START:
      return OnDownloadStart();
    case proto::MLTOMA_DOWNLOAD_CHUNK:
      return OnDownloadChunk(f);
    case proto::MLTOMA_DOWNLOAD_END:
      image_.reset();
      return Status::Ok();
    case proto::MLTOMA_APPLIED:
      return OnApplied(f);
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} from a metalogger", proto::TypeName(f.type)));
  }
}

Status MetaloggerLink::OnHello(const proto::FrameView& f) {
  auto hello = proto::Decode<proto::AntoanHello>(f);
  if (!hello.ok()) return hello.status();
  // A follower master follows with the metalogger's protocol, saying kMaster.
  if (Status s = proto::CheckHello(*hello, {proto::Role::kMetalogger, proto::Role::kMaster});
      !s.ok()) {
    (void)SendMsg(proto::AntoanStatus{s.code(), s.message()});
    conn_->CloseAfterFlush(s);
    return Status::Ok();
  }
  if (hub_.options_.not_leader) {
    if (auto redirect = hub_.options_.not_leader(hello->role)) {
      log::Info("{} {}: not the leader; sent to {}:{}", proto::RoleName(hello->role),
                peer_.ToString(), redirect->host, redirect->port);
      (void)SendMsg(*redirect);
      refused_ = true;
      conn_->CloseAfterFlush(Status(Code::kNotLeader, "sent to the leader"));
      return Status::Ok();
    }
  }
  hello_ = true;
  peer_role_ = hello->role;
  software_version_ = hello->software_version;
  return SendMsg(auth_.Challenge());
}

Status MetaloggerLink::Refuse(const Status& why) {
  log::Warning("metalogger {} refused: {}", peer_.ToString(), why.message());
  (void)SendMsg(proto::AntoanStatus{why.code(), why.message()});
  refused_ = true;
  streaming_ = false;
  conn_->CloseAfterFlush(why);
  return Status::Ok();
}

Status MetaloggerLink::OnRegister(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MltomaRegister>(f);
  if (!m.ok()) return m.status();
  if (!registered_ && is_follower()) hub_.quorum_.Joined(this, peer_.ToString());
  registered_ = true;
  SendLeaderInfo();
  const ChangelogRing& ring = hub_.ring_;
  uint64_t current = hub_.meta_.version();
  log::Info("metalogger {}: registered at version {} (master at {}, ring {}..{})", peer_.ToString(),
            m->last_version, current, ring.first(), ring.last());
  const auto [epoch, led_from] =
      hub_.options_.term ? hub_.options_.term() : std::pair<uint64_t, uint64_t>{0, 0};
  // Past the version this master began to lead at, records of another term may be a tail
  // the old leader wrote and this one never had: the same versions hold other changes here.
  const bool other_history = m->epoch != epoch && m->last_version > led_from;
  if (other_history) {
    log::Info(
        "metalogger {}: holds records past version {} from term {} (this is term {}): "
        "image",
        peer_.ToString(), led_from, m->epoch, epoch);
  }
  if (m->last_version == 0 || other_history || !ring.CanResumeAfter(m->last_version)) {
    return AskForImage();
  }
  ELK_RETURN_IF_ERROR(SendMsg(proto::MatomlRegister{Code::kOk, current, epoch}));
  next_ = m->last_version + 1;
  streaming_ = true;
  Pump();
  return Status::Ok();
}

Status MetaloggerLink::AskForImage() {
  streaming_ = false;
  const uint64_t epoch = hub_.options_.term ? hub_.options_.term().first : 0;
  return SendMsg(proto::MatomlRegister{Code::kWrongVersion, hub_.meta_.version(), epoch});
}

Status MetaloggerLink::OnDownloadStart() {
  if (!registered_) return Status(Code::kProtocol, "download before register");
  // Every record up to the image's version is committed (and in the ring) before it is
  // taken, so the stream can go on from version + 1.
  if (Status s = hub_.meta_.Commit(); !s.ok()) {
    log::Error("metalogger {}: commit before image: {}", peer_.ToString(), s.ToString());
    return SendMsg(proto::MatomlDownloadStart{s.code(), 0, 0});
  }
  auto img = hub_.meta_.MakeImage(hub_.now_());
  if (!img.ok()) return SendMsg(proto::MatomlDownloadStart{img.status().code(), 0, 0});
  auto bytes = image::Encode(*img);
  if (!bytes.ok()) return SendMsg(proto::MatomlDownloadStart{bytes.status().code(), 0, 0});
  image_ = std::make_shared<const std::string>(std::move(*bytes));
  ++hub_.images_sent_;
  log::Info("metalogger {}: sending image of version {} ({} bytes)", peer_.ToString(), img->version,
            image_->size());
  ELK_RETURN_IF_ERROR(SendMsg(proto::MatomlDownloadStart{Code::kOk, image_->size(), img->version}));
  next_ = img->version + 1;
  streaming_ = true;
  Pump();
  return Status::Ok();
}

Status MetaloggerLink::OnApplied(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MltomaApplied>(f);
  if (!m.ok()) return m.status();
  if (!is_follower() || !registered_) return Status(Code::kProtocol, "applied from a non-follower");
  (void)hub_.quorum_.Applied(this, m->version, hub_.meta_.version());
  if (hub_.options_.on_quorum) hub_.options_.on_quorum();
  return Status::Ok();
}

Status MetaloggerLink::OnDownloadChunk(const proto::FrameView& f) {
  auto m = proto::Decode<proto::MltomaDownloadChunk>(f);
  if (!m.ok()) return m.status();
  if (!image_) return Status(Code::kProtocol, "image piece asked with no download started");
  if (m->size > kMaxPiece || m->offset > image_->size() || m->size > image_->size() - m->offset) {
    return Status(Code::kProtocol, fmt::format("image piece {}+{} out of range ({} bytes)",
                                               m->offset, m->size, image_->size()));
  }
  auto data = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(image_->data()) + m->offset,
                                       m->size);
  return SendMsg(proto::MatomlDownloadChunk{m->offset, crc::Crc32c(data), data});
}

void MetaloggerLink::SendLeaderInfo() {
  if (!is_follower() || !registered_ || refused_ || !hub_.options_.leader_info) return;
  (void)SendMsg(hub_.options_.leader_info());
}

void MetaloggerLink::Pump() {
  if (!conn_ || !conn_->open()) return;
  const ChangelogRing& ring = hub_.ring_;
  while (streaming_ && !conn_->over_high_water() && next_ <= ring.last()) {
    const std::string* line = ring.Find(next_);
    if (line == nullptr) {
      log::Warning("metalogger {}: record {} is no longer held (ring {}..{}): resync",
                   peer_.ToString(), next_, ring.first(), ring.last());
      if (Status s = AskForImage(); !s.ok()) conn_->Close(s);
      return;
    }
    auto bytes =
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(line->data()), line->size());
    if (Status s = SendMsg(proto::MatomlChangelog{next_, bytes}); !s.ok()) return;
    ++next_;
  }
}

// ---- MetaloggerHub ----

MetaloggerHub::MetaloggerHub(net::EventLoop& loop, Metadata& meta, std::function<uint32_t()> now,
                             MetaloggerHubOptions options)
    : loop_(loop),
      meta_(meta),
      now_(std::move(now)),
      options_(std::move(options)),
      ring_(meta.version(), options_.ring_records, options_.ring_bytes),
      quorum_(options_.sync_followers, options_.sync_timeout) {
  meta_.set_record_listener(
      [this](uint64_t version, std::string_view body) { OnRecord(version, body); });
  if (options_.leader_info) {
    loop_.RunEvery(std::chrono::seconds(1), [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.expired()) return;
      for (auto& [raw, link] : links_)
        link->SendLeaderInfo();
    });
  }
}

MetaloggerHub::~MetaloggerHub() {
  meta_.set_record_listener({});
  links_.clear();
}

void MetaloggerHub::Accept(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot) {
  auto link = std::make_unique<MetaloggerLink>(*this);
  MetaloggerLink* raw = link.get();
  std::weak_ptr<bool> alive = alive_;
  auto on_close = [this, raw, alive] {
    loop_.Defer([this, raw, alive] {
      if (alive.expired()) return;
      links_.erase(raw);
      quorum_.Left(raw);
      if (options_.on_quorum) options_.on_quorum();
    });
  };
  if (Status s = link->Start(std::move(fd), peer, on_close, std::move(slot)); !s.ok()) {
    log::Warning("metalogger {}: {}", peer.ToString(), s.ToString());
    return;
  }
  links_.emplace(raw, std::move(link));
}

void MetaloggerHub::OnRecord(uint64_t version, std::string_view body) {
  ring_.Add(version, changelog::FormatRecord(version, body));
  for (auto& [raw, link] : links_)
    link->Pump();
}

void MetaloggerHub::Drain(std::chrono::milliseconds limit) {
  for (auto& [raw, link] : links_)
    link->CloseAfterFlush();
  auto deadline = net::Clock::now() + limit;
  while (!links_.empty() && net::Clock::now() < deadline) {
    if (!loop_.RunOnce(std::chrono::milliseconds(20)).ok()) break;
  }
}

void MetaloggerHub::CloseAll() {
  for (auto& [raw, link] : links_)
    link->Close();
}

}  // namespace elk::master
