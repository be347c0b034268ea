#include "chunkserver/server/chunk_server.h"

#include <algorithm>

#include "chunkserver/server/aio_disk_io.h"
#include "chunkserver/server/chunk_ops.h"
#include "common/log/log.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstoma.h"
#include "common/protocol/matocs.h"

namespace elk::chunkserver {

namespace proto = protocol;

ChunkServer::ChunkServer(net::EventLoop& loop, ServerConfig config)
    : loop_(loop), config_(std::move(config)) {}

Result<std::unique_ptr<ChunkServer>> ChunkServer::Create(net::EventLoop& loop,
                                                         ServerConfig config) {
  std::unique_ptr<ChunkServer> cs(new ChunkServer(loop, std::move(config)));
  ELK_RETURN_IF_ERROR(cs->Start());
  return cs;
}

ChunkServer::~ChunkServer() {
  // Threads first: their tasks use the disks; results they posted find their owners gone.
  if (io_) io_->Stop();
  if (replication_) replication_->Stop();
  loop_.Cancel(scrub_timer_);
  loop_.Cancel(space_timer_);
  master_.reset();
  service_.reset();
  disks_.reset();
}

Status ChunkServer::Start() {
  chunkstore::DiskIo* io = config_.disk_io;
  if (!io) {
    own_io_ = chunkstore::NewPosixDiskIo();
    if (config_.use_aio) own_io_ = NewAioDiskIo(std::move(own_io_));
    io = own_io_.get();
  }
  disks_ = std::make_unique<DiskSet>(*io, config_.leave_space);
  ELK_RETURN_IF_ERROR(disks_->Apply(config_.disks, /*require_one=*/true));
  const size_t threads = std::min<size_t>(
      config_.io_threads_max, config_.io_threads_per_disk * std::max<size_t>(disks_->size(), 1));
  io_ = std::make_unique<IoPool>(threads);
  replication_ = std::make_unique<IoPool>(config_.replication_threads);
  std::weak_ptr<int> alive = alive_;
  auto service =
      ClientService::Start(ServiceContext{.loop = loop_,
                                          .io = *io_,
                                          .disks = *disks_,
                                          .timeout = config_.csserv_timeout,
                                          .hello_timeout = config_.hello_timeout,
                                          .limits = {config_.max_connections,
                                                     config_.max_connections_per_ip},
                                          .fsync_before_close = config_.fsync_before_close,
                                          .on_io_status =
                                              [this, alive](uint64_t id, const Status& s) {
                                                if (!alive.expired()) OnIoStatus(id, s);
                                              }},
                           config_.listen);
  if (!service.ok()) return service.status();
  service_ = std::move(*service);
  space_ = disks_->Space();
  disk_reports_ = disks_->Reports(ScrubPosition());
  space_timer_ = loop_.RunEvery(config_.heartbeat, [this] { RefreshSpace(); });
  if (!config_.master_host.empty()) {
    master_ = std::make_unique<MasterLink>(
        loop_, config_, service_->address(),
        MasterLink::Callbacks{
            .chunks = [this] { return disks_->Chunks(); },
            .marked_chunks = [this] { return disks_->MarkedChunkIds(); },
            .space = [this] { return space_; },
            .disks = [this] { return disk_reports_; },
            .on_command = [this](const proto::FrameView& f) { return OnCommand(f); }});
    master_->Start();
  }
  ScheduleScrub();
  return Status::Ok();
}

Status ChunkServer::Reload(const ServerConfig& config) {
  config_.test_freq = config.test_freq;
  config_.disks = config.disks;
  config_.leave_space = config.leave_space;
  disks_->set_leave_space(config.leave_space);
  ScheduleScrub();
  // Scanning a new disk takes a while: off the loop, on the replication threads.
  replication_->Run(
      loop_, alive_, 0, [&d = *disks_, entries = config.disks] { return d.Apply(entries, false); },
      [this](Status s) {
        if (!s.ok()) log::Error("reload of mfshdd.cfg: {}", s.ToString());
        ReportLostChunks();
        RefreshSpace();
      });
  return Status::Ok();
}

std::optional<uint64_t> ChunkServer::ScrubPosition() const {
  if (config_.test_freq.count() <= 0) return std::nullopt;
  return scrub_next_;
}

void ChunkServer::RefreshSpace() {
  if (space_refreshing_) return;
  space_refreshing_ = true;
  using Out = std::pair<SpaceSummary, std::vector<proto::DiskReport>>;
  io_->Run(
      loop_, alive_, 0,
      [&d = *disks_, scrub = ScrubPosition()] {
        return Out{d.Space(), d.Reports(scrub)};
      },
      [this](Out out) {
        space_refreshing_ = false;
        space_ = out.first;
        disk_reports_ = std::move(out.second);
      });
}

// ---- master commands --------------------------------------------------------------------

template <typename Reply, typename Work>
void ChunkServer::Execute(uint64_t chunkid, uint64_t reply_chunkid, Work work) {
  io_->Run(loop_, alive_, chunkid, std::move(work), [this, chunkid, reply_chunkid](Status s) {
    OnIoStatus(chunkid, s);
    if (!s.ok()) {
      log::Warning("{} for chunk {:016X}: {}", proto::TypeName(Reply::kType), reply_chunkid,
                   s.ToString());
    }
    if (master_) (void)master_->Send(Reply{.chunkid = reply_chunkid, .status = s.code()});
  });
}

Status ChunkServer::OnCommand(const proto::FrameView& frame) {
  DiskSet& d = *disks_;
  switch (frame.type) {
    case proto::MATOCS_CREATE_CHUNK: {
      auto m = proto::Decode<proto::MatocsCreateChunk>(frame);
      if (!m.ok()) return m.status();
      Execute<proto::CstomaCreateChunk>(
          m->chunkid, m->chunkid,
          [&d, n = ChunkName{m->chunkid, m->version}] { return CreateChunk(d, n); });
      return Status::Ok();
    }
    case proto::MATOCS_DELETE_CHUNK: {
      auto m = proto::Decode<proto::MatocsDeleteChunk>(frame);
      if (!m.ok()) return m.status();
      if (master_) master_->ForgetDamaged(m->chunkid);
      Execute<proto::CstomaDeleteChunk>(
          m->chunkid, m->chunkid,
          [&d, n = ChunkName{m->chunkid, m->version}] { return DeleteChunk(d, n); });
      return Status::Ok();
    }
    case proto::MATOCS_SET_VERSION: {
      auto m = proto::Decode<proto::MatocsSetVersion>(frame);
      if (!m.ok()) return m.status();
      Execute<proto::CstomaSetVersion>(
          m->chunkid, m->chunkid, [&d, n = ChunkName{m->chunkid, m->old_version}, v = m->version] {
            return SetChunkVersion(d, n, v);
          });
      return Status::Ok();
    }
    case proto::MATOCS_DUPLICATE_CHUNK: {
      auto m = proto::Decode<proto::MatocsDuplicateChunk>(frame);
      if (!m.ok()) return m.status();
      Execute<proto::CstomaDuplicateChunk>(
          m->old_chunkid, m->new_chunkid,
          [&d, from = ChunkName{m->old_chunkid, m->old_version},
           to = ChunkName{m->new_chunkid, m->new_version}] { return DuplicateChunk(d, from, to); });
      return Status::Ok();
    }
    case proto::MATOCS_DUPTRUNC_CHUNK: {
      auto m = proto::Decode<proto::MatocsDuptruncChunk>(frame);
      if (!m.ok()) return m.status();
      Execute<proto::CstomaDuptruncChunk>(
          m->old_chunkid, m->new_chunkid,
          [&d, from = ChunkName{m->old_chunkid, m->old_version},
           to = ChunkName{m->new_chunkid, m->new_version},
           len = m->length] { return DuplicateTruncateChunk(d, from, to, len); });
      return Status::Ok();
    }
    case proto::MATOCS_TRUNCATE_CHUNK: {
      auto m = proto::Decode<proto::MatocsTruncateChunk>(frame);
      if (!m.ok()) return m.status();
      Execute<proto::CstomaTruncateChunk>(
          m->chunkid, m->chunkid,
          [&d, n = ChunkName{m->chunkid, m->old_version}, len = m->length, v = m->version] {
            return TruncateChunk(d, n, len, v);
          });
      return Status::Ok();
    }
    case proto::MATOCS_REPLICATE_CHUNK: {
      auto m = proto::Decode<proto::MatocsReplicateChunk>(frame);
      if (!m.ok()) return m.status();
      const ChunkName name{m->chunkid, m->version};
      ReplicateOptions options{.timeout = config_.csserv_timeout};
      replication_->Run(
          loop_, alive_, name.id,
          [&d, name, sources = std::move(m->sources), options] {
            return ReplicateChunk(d, name, sources, options);
          },
          [this, name](Status s) {
            OnIoStatus(name.id, s);
            if (!s.ok()) log::Warning("replication of chunk {:016X}: {}", name.id, s.ToString());
            if (master_) {
              (void)master_->Send(proto::CstomaReplicateChunk{
                  .chunkid = name.id, .version = name.version, .status = s.code()});
            }
          });
      return Status::Ok();
    }
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} from the master", proto::TypeName(frame.type)));
  }
}

// ---- damage -----------------------------------------------------------------------------

void ChunkServer::OnIoStatus(uint64_t chunkid, const Status& status) {
  if (status.code() == Code::kCrc || status.code() == Code::kCorruption) {
    log::Warning("chunk {:016X} is damaged: {}", chunkid, status.ToString());
    if (master_) master_->ReportDamaged({chunkid});
  } else if (status.code() == Code::kIo) {
    ReportLostChunks();
  }
}

void ChunkServer::ReportLostChunks() {
  std::vector<uint64_t> lost = disks_->TakeLost();
  if (lost.empty()) return;
  log::Error("{} chunks lost with their disk", lost.size());
  if (master_) master_->ReportLost(std::move(lost));
}

// ---- scrub ------------------------------------------------------------------------------

void ChunkServer::ScheduleScrub() {
  loop_.Cancel(scrub_timer_);
  scrub_timer_ = net::kNoTimer;
  if (config_.test_freq.count() <= 0) return;
  scrub_timer_ = loop_.RunEvery(config_.test_freq, [this] { ScrubOne(); });
}

void ChunkServer::ScrubOne() {
  if (scrubbing_) return;
  scrubbing_ = true;
  using Out = std::pair<std::optional<ChunkName>, Status>;
  io_->Run(
      loop_, alive_, scrub_next_,
      [&d = *disks_, from = scrub_next_]() -> Out {
        // The chunk with the smallest id >= from, or the smallest of all (wrap around).
        std::optional<ChunkName> pick, first;
        for (const ChunkName& n : d.Chunks()) {
          if (!first || n.id < first->id) first = n;
          if (n.id >= from && (!pick || n.id < pick->id)) pick = n;
        }
        if (!pick) pick = first;
        if (!pick) return {std::nullopt, Status::Ok()};
        auto disk = d.Locate(pick->id);
        if (!disk) return {pick, Status::Ok()};  // deleted meanwhile
        return {pick, disk->store->Verify(*pick)};
      },
      [this](Out out) {
        scrubbing_ = false;
        if (!out.first) return;
        ++scrubbed_;
        scrub_next_ = out.first->id + 1;
        if (!out.second.ok()) OnIoStatus(out.first->id, out.second);
      });
}

}  // namespace elk::chunkserver
