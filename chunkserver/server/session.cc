#include "chunkserver/server/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "chunkserver/server/chunk_ops.h"
#include "chunkserver/server/send.h"
#include "chunkserver/storage/aligned_buffer.h"
#include "common/crc/crc32c.h"
#include "common/log/log.h"
#include "common/protocol/cltocs.h"
#include "common/protocol/cstocl.h"
#include "common/protocol/cstocs.h"
#include "common/protocol/hello.h"

namespace elk::chunkserver {

namespace proto = protocol;
using chunkstore::ChunkName;

namespace {
// A read is answered in slices of this many bytes, so one large read neither holds an I/O
// thread for long nor fills the send queue past its high-water mark.
constexpr uint64_t kReadSlice = uint64_t{16} * elk::kBlockSize;
// Work in flight per connection is bounded: past this many queued reads, or this many
// written blocks not yet acknowledged (their data waits in the disk queue, in the next
// server's send queue, or here while the next server of the chain is still connecting),
// the peer's further frames wait in its socket until some finish.
constexpr size_t kMaxQueuedReads = 32;
constexpr size_t kMaxPendingWrites = 64;

net::ConnectionOptions Options(Millis timeout) {
  net::ConnectionOptions o;
  o.max_payload = ProtocolMaxPayload;
  o.idle_timeout = timeout;
  o.keepalive = timeout / 3;
  return o;
}
}  // namespace

Session::Session(const ServiceContext& ctx, std::function<void(Session*)> on_gone)
    : ctx_(ctx), on_gone_(std::move(on_gone)) {}

Session::~Session() {
  if (write_) {
    if (write_->connecting) write_->connecting->Cancel();
    if (write_->next) write_->next->Close();
  }
  if (conn_) conn_->Close();
}

Status Session::Open(net::UniqueFd fd, net::Address peer, std::shared_ptr<void> slot) {
  std::weak_ptr<Session> self = weak_from_this();
  net::ConnectionOptions options = Options(ctx_.timeout);
  options.hello_timeout = ctx_.hello_timeout;
  options.untrusted_max_payload = proto::kPreHelloMaxPayload;
  options.slot = std::move(slot);
  auto conn = net::Connection::Create(ctx_.loop, std::move(fd), peer, options,
                                      {.on_frame =
                                           [self](net::Connection&, const proto::FrameView& f) {
                                             auto s = self.lock();
                                             if (!s)
                                               return Status(Code::kDisconnected, "session gone");
                                             Status st = s->OnFrame(f);
                                             s->UpdateHold();
                                             return st;
                                           },
                                       .on_close =
                                           [self](net::Connection&, const Status&) {
                                             if (auto s = self.lock()) s->OnClose();
                                           },
                                       .on_pressure =
                                           [self](net::Connection&, bool over) {
                                             if (auto s = self.lock(); s && !over)
                                               s->ctx_.loop.Defer([self] {
                                                 if (auto again = self.lock()) again->PumpReads();
                                               });
                                           }});
  if (!conn.ok()) return conn.status();
  conn_ = std::move(*conn);
  return SendMsg(*conn_, proto::MakeHello(proto::Role::kChunkserver, "elkfs"));
}

void Session::OnClose() {
  if (write_) {
    if (write_->connecting) write_->connecting->Cancel();
    if (write_->next) write_->next->Close();
    const uint64_t id = write_->name.id;
    ctx_.io.Submit(id, [&disks = ctx_.disks, id, sync = ctx_.fsync_before_close] {
      (void)CloseChunk(disks, id, sync);
    });
    write_.reset();
  }
  on_gone_(this);  // may destroy this session: nothing after
}

Status Session::OnFrame(const proto::FrameView& frame) {
  if (!hello_) {
    auto hello = proto::Decode<proto::AntoanHello>(frame);
    if (!hello.ok()) return hello.status();
    ELK_RETURN_IF_ERROR(proto::CheckHello(*hello, {proto::Role::kClient, proto::Role::kChunkserver,
                                                   proto::Role::kTool, proto::Role::kIscsiTarget}));
    hello_ = true;
    conn_->Trust();
    return Status::Ok();
  }
  switch (frame.type) {
    case proto::CLTOCS_READ: {
      auto m = proto::Decode<proto::CltocsRead>(frame);
      if (!m.ok()) return m.status();
      return QueueRead(false, m->chunkid, m->version, m->offset, m->size);
    }
    case proto::CSTOCS_READ: {
      auto m = proto::Decode<proto::CstocsRead>(frame);
      if (!m.ok()) return m.status();
      return QueueRead(true, m->chunkid, m->version, m->offset, m->size);
    }
    case proto::CSTOCS_GET_CHUNK_BLOCKS:
      return GetChunkBlocks(frame);
    case proto::CLTOCS_GET_CHECKSUMS:
      return GetChecksums(frame);
    case proto::CLTOCS_WRITE_INIT:
      return WriteInit(frame);
    case proto::CLTOCS_WRITE_DATA:
      return WriteData(frame);
    case proto::CLTOCS_WRITE_SYNC:
      return WriteSync(frame);
    case proto::CLTOCS_WRITE_END:
      return WriteEnd(frame);
    case proto::ANTOAN_STATUS:
      return Status::Ok();
    default:
      return Status(Code::kProtocol,
                    fmt::format("unexpected {} on the data port", proto::TypeName(frame.type)));
  }
}

// ---- reads ------------------------------------------------------------------------------

Status Session::QueueRead(bool replication, uint64_t chunkid, uint32_t version, uint64_t offset,
                          uint64_t size) {
  reads_.push_back(ReadJob{
      .replication = replication, .name = {chunkid, version}, .offset = offset, .left = size});
  PumpReads();
  return Status::Ok();
}

void Session::PumpReads() {
  if (reading_ || reads_.empty() || !conn_ || !conn_->open() || conn_->over_high_water()) return;
  const ReadJob& job = reads_.front();
  if (Status range = CheckReadRange(job.offset, job.left); !range.ok()) {
    SendReadStatus(job, range);
    reads_.pop_front();
    return PumpReads();
  }
  reading_ = true;
  const uint64_t len = std::min(job.left, kReadSlice);
  using Out = std::pair<Status, std::vector<std::vector<uint8_t>>>;
  ctx_.io.Run(
      ctx_.loop, Alive(), job.name.id,
      [&disks = ctx_.disks, job, len]() -> Out {
        Out out;
        out.first =
            job.replication
                ? ReadPieces<proto::CstocsReadData>(disks, job.name, job.offset, len, out.second)
                : ReadPieces<proto::CstoclReadData>(disks, job.name, job.offset, len, out.second);
        return out;
      },
      [this, len](Out out) { ReadDone(std::move(out.first), std::move(out.second), len); });
}

void Session::ReadDone(Status status, std::vector<std::vector<uint8_t>> frames, uint64_t len) {
  reading_ = false;
  if (reads_.empty() || !conn_->open()) return;
  ReadJob& job = reads_.front();
  for (auto& f : frames)
    (void)conn_->SendFrame(std::move(f));
  if (!status.ok()) {
    log::Warning("read of chunk {:016X}_{:08X} for {}: {}", job.name.id, job.name.version,
                 conn_->name(), status.ToString());
    ctx_.on_io_status(job.name.id, status);
    SendReadStatus(job, status);
    reads_.pop_front();
  } else {
    job.offset += len;
    job.left -= len;
    if (job.left == 0) {
      SendReadStatus(job, status);
      reads_.pop_front();
    }
  }
  PumpReads();
  UpdateHold();
}

void Session::UpdateHold() {
  if (!conn_ || !conn_->open()) return;
  const size_t writes = write_ ? write_->pending.size() : 0;
  conn_->HoldReading(reads_.size() >= kMaxQueuedReads || writes >= kMaxPendingWrites);
}

void Session::SendReadStatus(const ReadJob& job, Status status) {
  if (job.replication) {
    (void)SendMsg(*conn_, proto::CstocsReadStatus{.chunkid = job.name.id, .status = status.code()});
  } else {
    (void)SendMsg(*conn_, proto::CstoclReadStatus{.chunkid = job.name.id, .status = status.code()});
  }
}

Status Session::GetChunkBlocks(const proto::FrameView& frame) {
  auto m = proto::Decode<proto::CstocsGetChunkBlocks>(frame);
  if (!m.ok()) return m.status();
  const ChunkName name{m->chunkid, m->version};
  ctx_.io.Run(
      ctx_.loop, Alive(), name.id, [&disks = ctx_.disks, name] { return ChunkBlocks(disks, name); },
      [this, name](Result<uint16_t> blocks) {
        if (!conn_->open()) return;
        (void)SendMsg(*conn_,
                      proto::CstocsChunkBlocks{.chunkid = name.id,
                                               .version = name.version,
                                               .blocks = blocks.ok() ? *blocks : uint16_t{0},
                                               .status = blocks.code()});
      });
  return Status::Ok();
}

Status Session::GetChecksums(const proto::FrameView& frame) {
  auto m = proto::Decode<proto::CltocsGetChecksums>(frame);
  if (!m.ok()) return m.status();
  const ChunkName name{m->chunkid, m->version};
  ctx_.io.Run(
      ctx_.loop, Alive(), name.id,
      [&disks = ctx_.disks, name] { return ChunkBlockCrcs(disks, name); },
      [this, name](Result<std::vector<uint32_t>> crcs) {
        if (!conn_->open()) return;
        proto::CstoclChecksums reply{
            .chunkid = name.id, .version = name.version, .status = crcs.code(), .crcs = {}};
        if (crcs.ok()) reply.crcs = std::move(*crcs);
        (void)SendMsg(*conn_, reply);
      });
  return Status::Ok();
}

// ---- writes -----------------------------------------------------------------------------

Status Session::WriteInit(const proto::FrameView& frame) {
  auto m = proto::Decode<proto::CltocsWriteInit>(frame);
  if (!m.ok()) return m.status();
  if (write_) {
    SendWriteStatus(m->chunkid, 0, Status(Code::kChunkBusy, "a write is in progress"));
    return Status::Ok();
  }
  write_.emplace();
  write_->gen = ++write_gen_;
  write_->name = {m->chunkid, m->version};
  write_->chain = std::move(m->chain);
  const ChunkName name = write_->name;
  ctx_.io.Run(
      ctx_.loop, Alive(), name.id, [&disks = ctx_.disks, name] { return ChunkBlocks(disks, name); },
      [this, gen = write_->gen](Result<uint16_t> blocks) {
        if (!Current(gen)) return;
        write_->local_known = true;
        write_->local_ok = blocks.ok();
        if (!blocks.ok()) BreakChain(blocks.status(), {});
        MaybeAnswerInit();
      });
  if (!write_->chain.empty()) ConnectNext();
  return Status::Ok();
}

void Session::ConnectNext() {
  const proto::ServerAddr& next = write_->chain.front();
  write_->next_addr = net::Address{next.ip, next.port};
  std::weak_ptr<Session> self = weak_from_this();
  write_->connecting = net::ConnectAsync(ctx_.loop, write_->next_addr, ctx_.timeout,
                                         [self, gen = write_->gen](Result<net::UniqueFd> fd) {
                                           if (auto s = self.lock())
                                             s->NextConnected(gen, std::move(fd));
                                         });
}

void Session::NextConnected(uint64_t gen, Result<net::UniqueFd> fd) {
  if (!Current(gen)) return;
  write_->connecting.reset();
  const net::Address to = write_->next_addr;
  if (!fd.ok()) {
    return BreakChain(
        Status(Code::kCantConnect, fmt::format("chunkserver {}: {}", to, fd.status().ToString())),
        NextServer());
  }
  std::weak_ptr<Session> self = weak_from_this();
  auto conn = net::Connection::Create(
      ctx_.loop, std::move(*fd), to, Options(ctx_.timeout),
      {.on_frame =
           [self, gen](net::Connection&, const proto::FrameView& f) {
             auto s = self.lock();
             return s ? s->OnNextFrame(gen, f) : Status(Code::kDisconnected, "session gone");
           },
       .on_close =
           [self, gen](net::Connection&, const Status& why) {
             if (auto s = self.lock()) s->OnNextClosed(gen, why);
           }});
  if (!conn.ok())
    return BreakChain(Status(Code::kCantConnect, conn.status().ToString()), NextServer());
  write_->next = std::move(*conn);
  write_->next->set_name(fmt::format("chunkserver {} (next in chain)", to));
  next_hello_ = false;
  net::Connection& next = *write_->next;
  (void)SendMsg(next, proto::MakeHello(proto::Role::kChunkserver, "elkfs"));
  std::vector<proto::ServerAddr> rest(write_->chain.begin() + 1, write_->chain.end());
  (void)SendMsg(next, proto::CltocsWriteInit{.chunkid = write_->name.id,
                                             .version = write_->name.version,
                                             .chain = std::move(rest)});
  for (auto& [type, payload] : write_->backlog)
    (void)next.Send(type, std::move(payload));
  write_->backlog.clear();
  if (write_->end_requested && write_->pending.empty()) FinishWrite();
}

Status Session::OnNextFrame(uint64_t gen, const proto::FrameView& frame) {
  if (!Current(gen)) return Status::Ok();
  if (!next_hello_) {
    auto hello = proto::Decode<proto::AntoanHello>(frame);
    if (!hello.ok()) return hello.status();
    ELK_RETURN_IF_ERROR(proto::CheckHello(*hello, {proto::Role::kChunkserver}));
    next_hello_ = true;
    return Status::Ok();
  }
  if (frame.type == proto::ANTOAN_STATUS) return Status::Ok();
  // Either answer, as (write id, status, failed server); 0:0 from the next means itself.
  uint32_t write_id = 0;
  Status status;
  proto::ServerAddr failed;
  if (frame.type == proto::CSTOCL_WRITE_ERROR) {
    auto m = proto::Decode<proto::CstoclWriteError>(frame);
    if (!m.ok()) return m.status();
    write_id = m->write_id;
    status = Status(m->status == Code::kOk ? Code::kIo : m->status, "down the chain");
    failed = m->server.ip == 0 && m->server.port == 0 ? NextServer() : m->server;
  } else {
    auto m = proto::Decode<proto::CstoclWriteStatus>(frame);
    if (!m.ok()) return m.status();
    write_id = m->write_id;
    if (m->status != Code::kOk) {
      status = Status(m->status, "down the chain");
      failed = NextServer();
    }
  }
  if (write_id == 0) {
    if (!status.ok()) {
      BreakChain(Status(status.code(),
                        fmt::format("{} refused the write", net::Address{failed.ip, failed.port})),
                 failed);
      return Status::Ok();
    }
    write_->next_ok = true;
    MaybeAnswerInit();
    return Status::Ok();
  }
  auto it = write_->pending.find(write_id);
  if (it == write_->pending.end()) return Status::Ok();  // already failed locally
  it->second.down_done = true;
  it->second.down = std::move(status);
  it->second.down_server = failed;
  MaybeAck(write_id);
  return Status::Ok();
}

void Session::OnNextClosed(uint64_t gen, const Status& why) {
  if (!Current(gen)) return;
  write_->next.reset();
  if (write_->end_requested && write_->pending.empty()) return;
  BreakChain(Status(Code::kDisconnected, fmt::format("chunkserver {} left the chain: {}",
                                                     write_->next_addr, why.ToString())),
             NextServer());
}

proto::ServerAddr Session::NextServer() const {
  if (!write_ || write_->chain.empty()) return {};
  return write_->chain.front();
}

// The chain (or the local copy) failed: the init and every write in flight or to come
// answer `why`.
void Session::BreakChain(Status why, proto::ServerAddr failed) {
  if (!write_ || !write_->chain_error.ok()) return;
  log::Warning("write of chunk {:016X} for {}: {}", write_->name.id, conn_->name(), why.ToString());
  write_->chain_error = why;
  write_->chain_error_server = failed;
  if (write_->next) write_->next->Close();
  write_->next.reset();
  MaybeAnswerInit();
  std::vector<uint32_t> ids;
  for (auto& [id, p] : write_->pending) {
    if (!p.down_done) {
      p.down_done = true;
      p.down = why;
      p.down_server = failed;
    }
    ids.push_back(id);
  }
  for (uint32_t id : ids)
    MaybeAck(id);
  // The end came while the chain was still connecting, with nothing in flight.
  if (write_ && write_->end_requested && write_->pending.empty()) FinishWrite();
}

void Session::MaybeAnswerInit() {
  if (!write_ || write_->init_answered) return;
  if (!write_->chain_error.ok()) {
    write_->init_answered = true;
    return SendWriteStatus(write_->name.id, 0, write_->chain_error, write_->chain_error_server);
  }
  if (!write_->local_known || (!write_->chain.empty() && !write_->next_ok)) return;
  write_->init_answered = true;
  SendWriteStatus(write_->name.id, 0, Status::Ok());
}

bool Session::AdmitWrite(uint64_t chunkid, uint32_t write_id, const proto::FrameView& frame) {
  if (!write_ || write_->end_requested) {
    SendWriteStatus(chunkid, write_id, Status(Code::kNotOpened, "no write in progress"));
    return false;
  }
  if (chunkid != write_->name.id) {
    SendWriteStatus(chunkid, write_id, Status(Code::kWrongChunkId, "another chunk"));
    return false;
  }
  if (!write_->chain_error.ok()) {
    SendWriteStatus(chunkid, write_id, write_->chain_error, write_->chain_error_server);
    return false;
  }
  PendingWrite& p = write_->pending[write_id];
  p = PendingWrite{};
  if (write_->chain.empty()) {
    p.down_done = true;
  } else if (write_->next) {
    (void)write_->next->Send(frame.type, frame.payload);
  } else {
    write_->backlog.emplace_back(frame.type,
                                 std::vector<uint8_t>(frame.payload.begin(), frame.payload.end()));
  }
  return true;
}

Status Session::WriteData(const proto::FrameView& frame) {
  auto m = proto::Decode<proto::CltocsWriteData>(frame);
  if (!m.ok()) return m.status();
  if (write_ && write_->chain_error.ok() && !write_->end_requested &&
      m->chunkid == write_->name.id && crc::Crc32c(m->data) != m->crc) {
    // The sender's data is bad, not our disk: refused here, never passed down.
    SendWriteStatus(m->chunkid, m->write_id, Status(Code::kCrc, "data does not match its CRC"));
    return Status::Ok();
  }
  if (!AdmitWrite(m->chunkid, m->write_id, frame)) return Status::Ok();
  const uint32_t write_id = m->write_id;
  const ChunkName name = write_->name;
  ctx_.io.Run(
      ctx_.loop, Alive(), name.id,
      // Aligned, so a whole block goes to the disk from this copy without another one.
      [&disks = ctx_.disks, name, block = m->block, offset = m->offset, crc = m->crc,
       data = std::make_shared<chunkstore::AlignedBuffer>(chunkstore::AlignedBuffer::CopyOf(
           m->data))] { return WriteChunkData(disks, name, block, offset, crc, data->span()); },
      [this, write_id, id = name.id, gen = write_->gen](Status s) {
        ctx_.on_io_status(id, s);
        if (Current(gen)) LocalWriteDone(write_id, std::move(s));
      });
  return Status::Ok();
}

// After every write before it on this chunk (the I/O pool runs one chunk's tasks in order),
// this server syncs the file; the answer goes up once the servers down the chain have too.
Status Session::WriteSync(const proto::FrameView& frame) {
  auto m = proto::Decode<proto::CltocsWriteSync>(frame);
  if (!m.ok()) return m.status();
  if (!AdmitWrite(m->chunkid, m->write_id, frame)) return Status::Ok();
  const ChunkName name = write_->name;
  ctx_.io.Run(
      ctx_.loop, Alive(), name.id, [&disks = ctx_.disks, name] { return SyncChunk(disks, name); },
      [this, write_id = m->write_id, id = name.id, gen = write_->gen](Status s) {
        ctx_.on_io_status(id, s);
        // After a failed fdatasync the kernel may have dropped the dirty pages, and a second
        // one may then succeed: this copy can no longer be trusted, so it is reported damaged
        // (the master drops it and copies the chunk from another) rather than synced again.
        if (s.code() == Code::kIo)
          ctx_.on_io_status(id, Status(Code::kCorruption, "sync failed: " + s.ToString()));
        if (Current(gen)) LocalWriteDone(write_id, std::move(s));
      });
  return Status::Ok();
}

void Session::LocalWriteDone(uint32_t write_id, Status status) {
  auto it = write_->pending.find(write_id);
  if (it == write_->pending.end()) return;
  if (!status.ok()) {
    log::Warning("write {} of chunk {:016X}: {}", write_id, write_->name.id, status.ToString());
  }
  it->second.local_done = true;
  it->second.local = std::move(status);
  MaybeAck(write_id);
}

void Session::MaybeAck(uint32_t write_id) {
  if (!write_) return;
  auto it = write_->pending.find(write_id);
  if (it == write_->pending.end() || !it->second.local_done || !it->second.down_done) return;
  const bool local_failed = !it->second.local.ok();
  const Status result = local_failed ? it->second.local : it->second.down;
  const proto::ServerAddr failed = local_failed ? proto::ServerAddr{} : it->second.down_server;
  write_->pending.erase(it);
  SendWriteStatus(write_->name.id, write_id, result, failed);
  if (write_->end_requested && write_->pending.empty()) FinishWrite();
  UpdateHold();
}

Status Session::WriteEnd(const proto::FrameView& frame) {
  auto m = proto::Decode<proto::CltocsWriteEnd>(frame);
  if (!m.ok()) return m.status();
  if (!write_ || write_->name.id != m->chunkid) return Status::Ok();
  write_->end_requested = true;
  if (write_->pending.empty()) FinishWrite();
  return Status::Ok();
}

// Every write id is answered: pass the end down, close the chunk file (after the writes,
// on the same I/O thread), and forget the write.
void Session::FinishWrite() {
  if (write_->connecting && write_->chain_error.ok()) return;  // NextConnected finishes
  if (write_->next) {
    (void)SendMsg(*write_->next, proto::CltocsWriteEnd{.chunkid = write_->name.id});
    write_->next->CloseAfterFlush();
  }
  const uint64_t id = write_->name.id;
  ctx_.io.Submit(id, [&disks = ctx_.disks, id, sync = ctx_.fsync_before_close] {
    (void)CloseChunk(disks, id, sync);
  });
  write_.reset();
}

void Session::SendWriteStatus(uint64_t chunkid, uint32_t write_id, const Status& status,
                              proto::ServerAddr failed) {
  if (!conn_->open()) return;
  if (status.ok()) {
    (void)SendMsg(*conn_, proto::CstoclWriteStatus{.chunkid = chunkid, .write_id = write_id});
    return;
  }
  (void)SendMsg(
      *conn_,
      proto::CstoclWriteError{
          .chunkid = chunkid, .write_id = write_id, .status = status.code(), .server = failed});
}

}  // namespace elk::chunkserver
