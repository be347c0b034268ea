#include "mount/client/chunk_io.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "common/crc/crc32c.h"
#include "common/log/log.h"
#include "common/net/send_msg.h"
#include "common/protocol/cltocs.h"
#include "common/protocol/codec.h"
#include "common/protocol/cstocl.h"
#include "common/protocol/hello.h"

namespace elk::client {

namespace proto = protocol;
using Clock = std::chrono::steady_clock;

namespace {

uint64_t Key(const proto::ServerAddr& s) {
  return (uint64_t{s.ip} << 16) | s.port;
}

// Waits out kNotStarted, the master's "no chunkserver is connected yet", for up to `limit`
// from the first such answer; each wait is not an attempt. Past it the answer is what a
// cluster without chunkservers gives: no room for a write, no copy for a read.
class ChunkserverWait {
 public:
  explicit ChunkserverWait(Millis limit) : limit_(limit) {}
  bool Again(Code code) {
    if (code != Code::kNotStarted) return false;
    const auto now = std::chrono::steady_clock::now();
    if (!since_) since_ = now;
    if (now - *since_ >= limit_) return false;
    std::this_thread::sleep_for(Millis(250));
    return true;
  }
  static Status Final(Status last, Code instead) {
    if (last.code() != Code::kNotStarted) return last;
    return Status(instead, "no chunkserver connected to the master");
  }

 private:
  Millis limit_;
  std::optional<std::chrono::steady_clock::time_point> since_;
};

// Transient answers: wait and ask again. No chunkserver for a new chunk is one too: a master
// elected a moment ago has none until they reconnect (a second or two); a cluster really full
// still answers ENOSPC once the attempts are spent.
bool Retryable(Code c) {
  return c == Code::kNoChunkServers || c == Code::kLocked || c == Code::kDelayed ||
         c == Code::kNotDone || c == Code::kAgain || c == Code::kChunkBusy || c == Code::kBusy ||
         c == Code::kDisconnected || c == Code::kTimeout || c == Code::kCantConnect ||
         c == Code::kIo || c == Code::kCrc || c == Code::kWrongVersion || c == Code::kNoChunk ||
         c == Code::kChunkLost || c == Code::kProtocol || c == Code::kNotStarted;
}

void Backoff(int attempt) {
  std::this_thread::sleep_for(Millis(std::min(50 << std::min(attempt, 5), 1000)));
}

}  // namespace

ChunkIo::~ChunkIo() = default;

void ChunkIo::Forget(uint32_t inode) {
  std::lock_guard lock(mu_);
  auto it = locations_.lower_bound({inode, 0});
  while (it != locations_.end() && it->first.first == inode)
    it = locations_.erase(it);
}

Result<ChunkIo::Conn> ChunkIo::Borrow(const proto::ServerAddr& server) {
  {
    std::lock_guard lock(mu_);
    auto& list = idle_[Key(server)];
    while (!list.empty()) {
      Idle i = std::move(list.back());
      list.pop_back();
      // The server closes silent connections after CSSERV_TIMEOUT; don't reuse old ones.
      if (Clock::now() - i.since < std::chrono::seconds(2)) return std::move(i.conn);
    }
  }
  auto c = net::BlockingClient::Connect(net::Address{server.ip, server.port}, Millis(5000));
  if (!c.ok()) return Status(Code::kCantConnect, c.status().ToString());
  auto conn = std::make_unique<net::BlockingClient>(std::move(*c));
  ELK_RETURN_IF_ERROR(SendMsg(*conn, proto::MakeHello(proto::Role::kClient, "0.1.0")));
  auto hello = conn->Receive(options_.io_timeout);
  if (!hello.ok()) return hello.status();
  if (hello->type != proto::ANTOAN_HELLO) return Status(Code::kProtocol, "no hello");
  auto h = proto::Decode<proto::AntoanHello>(hello->payload);
  if (!h.ok()) return h.status();
  ELK_RETURN_IF_ERROR(proto::CheckHello(*h, {proto::Role::kChunkserver}));
  return conn;
}

void ChunkIo::Return(const proto::ServerAddr& server, Conn conn) {
  std::lock_guard lock(mu_);
  auto& list = idle_[Key(server)];
  if (list.size() < 8) list.push_back({std::move(conn), Clock::now()});
}

Result<proto::ChunkLocation> ChunkIo::Locate(uint32_t inode, uint32_t index, bool refresh,
                                             uint64_t need_length) {
  if (!refresh) {
    std::lock_guard lock(mu_);
    auto it = locations_.find({inode, index});
    // A cached length shorter than the read may be stale (the file grew): ask again.
    if (it != locations_.end() && it->second.file_length >= need_length) return it->second;
  }
  auto r = master_.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, inode, index});
  if (!r.ok()) return r.status();
  std::lock_guard lock(mu_);
  locations_[{inode, index}] = r->location;
  return r->location;
}

Result<bool> ChunkIo::HasChunk(uint32_t inode, uint32_t index) {
  if (index > kMaxChunkIndex) return Status(Code::kIndexTooBig);
  auto loc = Locate(inode, index, /*refresh=*/true, 0);
  if (!loc.ok()) return loc.status();
  return loc->chunkid != 0;
}

Status ChunkIo::ReadCopy(const proto::ServerAddr& server, const proto::ChunkLocation& loc,
                         uint32_t offset, uint32_t size, uint8_t* out) {
  auto c = Borrow(server);
  if (!c.ok()) return c.status();
  Conn conn = std::move(*c);
  ELK_RETURN_IF_ERROR(SendMsg(*conn, proto::CltocsRead{loc.chunkid, loc.version, offset, size}));
  uint64_t received = 0;
  for (;;) {
    auto f = conn->Receive(options_.io_timeout);
    if (!f.ok()) return f.status();
    if (f->type == proto::CSTOCL_READ_STATUS) {
      auto st = proto::Decode<proto::CstoclReadStatus>(f->payload);
      if (!st.ok()) return st.status();
      if (st->status != Code::kOk) return Status(st->status, "chunkserver read");
      if (received != size) return Status(Code::kProtocol, "short read from a chunkserver");
      Return(server, std::move(conn));
      return Status::Ok();
    }
    if (f->type != proto::CSTOCL_READ_DATA) return Status(Code::kProtocol, "unexpected frame");
    auto piece = proto::Decode<proto::CstoclReadData>(f->payload);
    if (!piece.ok()) return piece.status();
    if (piece->chunkid != loc.chunkid) return Status(Code::kProtocol, "wrong chunk id");
    if (crc::Crc32c(piece->data) != piece->crc) return Status(Code::kCrc, "piece CRC mismatch");
    const uint64_t at = uint64_t{piece->block} * kBlockSize + piece->offset;
    if (at < offset || at + piece->data.size() > uint64_t{offset} + size)
      return Status(Code::kProtocol, "piece outside the request");
    std::memcpy(out + (at - offset), piece->data.data(), piece->data.size());
    received += piece->data.size();
  }
}

Status ChunkIo::ReadChunk(uint32_t inode, uint32_t index, uint32_t offset, uint32_t size,
                          uint8_t* out, uint64_t* file_length) {
  Status last(Code::kChunkLost, "no copy could be read");
  ChunkserverWait waiting(options_.chunkserver_wait);
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    auto loc = Locate(inode, index, attempt > 0, uint64_t{index} * kChunkSize + offset + size);
    if (!loc.ok()) {
      if (waiting.Again(loc.code())) {
        --attempt;  // not an attempt: the chunkservers are not back yet
        continue;
      }
      if (!Retryable(loc.code())) return loc.status();
      last = loc.status();
      Backoff(attempt);
      continue;
    }
    *file_length = loc->file_length;
    const uint64_t chunk_start = uint64_t{index} * kChunkSize;
    if (chunk_start + offset >= loc->file_length) return Status::Ok();
    size = static_cast<uint32_t>(std::min<uint64_t>(size, loc->file_length - chunk_start - offset));
    if (loc->chunkid == 0) {
      std::memset(out, 0, size);
      return Status::Ok();
    }
    for (const auto& server : loc->copies) {
      Status s = ReadCopy(server, *loc, offset, size, out);
      if (s.ok()) return s;
      log::Warning("read of chunk {:016X} from {:08X}:{} failed: {}", loc->chunkid, server.ip,
                   server.port, s.ToString());
      last = s;
    }
    Backoff(attempt);
  }
  return ChunkserverWait::Final(last, Code::kChunkLost);
}

Result<std::vector<uint8_t>> ChunkIo::Read(uint32_t inode, uint64_t offset, uint32_t size) {
  // No file reaches past the maximum length: what lies there is beyond every end.
  if (offset >= kMaxFileLength) return std::vector<uint8_t>{};
  size = static_cast<uint32_t>(std::min<uint64_t>(size, kMaxFileLength - offset));
  std::vector<uint8_t> out(size);
  uint64_t done = 0;
  uint64_t file_length = UINT64_MAX;
  while (done < size) {
    const uint64_t pos = offset + done;
    if (pos >= file_length) break;
    const uint32_t index = ChunkIndexOf(pos);
    const auto in_chunk = static_cast<uint32_t>(pos % kChunkSize);
    const auto n = static_cast<uint32_t>(std::min<uint64_t>(size - done, kChunkSize - in_chunk));
    ELK_RETURN_IF_ERROR(ReadChunk(inode, index, in_chunk, n, out.data() + done, &file_length));
    done += n;
  }
  out.resize(static_cast<size_t>(
      std::min<uint64_t>(size, file_length > offset ? file_length - offset : 0)));
  return out;
}

// A failure to send or receive is the connection's (kDisconnected: a pooled one whose
// chunkserver restarted breaks so), not a chunkserver's answer: fsync tries a fresh chain.
static Status ConnectionLost(const Status& s) {
  return s.ok() || s.code() == Code::kTimeout ? s : Status(Code::kDisconnected, s.message());
}

Result<std::unique_ptr<ChunkIo::ChainWriter>> ChunkIo::OpenChain(uint32_t inode, uint32_t index,
                                                                 const proto::ChunkLocation& loc) {
  if (loc.copies.empty()) return Status(Code::kNoChunkServers, "empty write chain");
  auto c = Borrow(loc.copies[0]);
  if (!c.ok()) return c.status();
  proto::CltocsWriteInit init{loc.chunkid, loc.version, {loc.copies.begin() + 1, loc.copies.end()}};
  ELK_RETURN_IF_ERROR(ConnectionLost(SendMsg(**c, init)));
  return std::make_unique<ChainWriter>(*this, inode, index, loc, std::move(*c));
}

Status ChunkIo::ChainWriter::ReceiveOne() {
  auto f = conn_->Receive(io_.options_.io_timeout);
  if (!f.ok()) return ConnectionLost(f.status());
  if (f->type == proto::CSTOCL_WRITE_ERROR) {
    auto e = proto::Decode<proto::CstoclWriteError>(f->payload);
    if (!e.ok()) return e.status();
    return Status(e->status == Code::kOk ? Code::kIo : e->status,
                  fmt::format("write of chunk {:016X} failed at {:08X}:{}", loc_.chunkid,
                              e->server.ip, e->server.port));
  }
  if (f->type != proto::CSTOCL_WRITE_STATUS) return Status(Code::kProtocol, "unexpected frame");
  auto st = proto::Decode<proto::CstoclWriteStatus>(f->payload);
  if (!st.ok()) return st.status();
  if (st->status != Code::kOk) return Status(st->status, "chunkserver write");
  if (st->write_id == 0)
    init_acked_ = true;
  else
    ++acked_;
  return Status::Ok();
}

Status ChunkIo::ChainWriter::AwaitAll() {
  while (!init_acked_ || acked_ < sent_)
    ELK_RETURN_IF_ERROR(ReceiveOne());
  return Status::Ok();
}

Status ChunkIo::ChainWriter::Write(std::span<const Piece> pieces) {
  if (!conn_) return Status(Code::kDisconnected, "the write session is over");
  for (const Piece& p : pieces)
    if (uint64_t{p.offset} + p.data.size() > kChunkSize)
      return Status(Code::kWrongOffset, "write beyond the chunk");
  Status s = [&]() -> Status {
    for (const Piece& p : pieces) {
      for (uint32_t pos = 0; pos < p.data.size();) {
        const uint32_t at = p.offset + pos;
        const uint32_t in_block = at % kBlockSize;
        const auto n =
            static_cast<uint32_t>(std::min<size_t>(p.data.size() - pos, kBlockSize - in_block));
        const auto piece = p.data.subspan(pos, n);
        ELK_RETURN_IF_ERROR(SendMsg(
            *conn_,
            proto::CltocsWriteData{loc_.chunkid, ++sent_, static_cast<uint16_t>(at / kBlockSize),
                                   static_cast<uint16_t>(in_block), crc::Crc32c(piece), piece}));
        pos += n;
        while (sent_ - acked_ >= io_.options_.max_in_flight)
          ELK_RETURN_IF_ERROR(ReceiveOne());
      }
    }
    return AwaitAll();
  }();
  if (!s.ok()) conn_.reset();  // answers may still be on their way: never reuse it
  if (s.ok() && !pieces.empty()) io_.NoteUnsynced(inode_, index_, loc_);
  return s;
}

Status ChunkIo::ChainWriter::Sync() {
  if (!conn_) return Status(Code::kDisconnected, "the write session is over");
  Status s = ConnectionLost(SendMsg(*conn_, proto::CltocsWriteSync{loc_.chunkid, ++sent_}));
  if (s.ok()) s = AwaitAll();
  if (!s.ok()) conn_.reset();
  return s;
}

void ChunkIo::ChainWriter::End() {
  if (!conn_) return;
  // Nothing written yet: the init's answer must be read before the connection is reused.
  if (AwaitAll().ok() && SendMsg(*conn_, proto::CltocsWriteEnd{loc_.chunkid}).ok())
    io_.Return(loc_.copies[0], std::move(conn_));
  conn_.reset();
}

Status ChunkIo::WriteChain(uint32_t inode, uint32_t index, const proto::ChunkLocation& loc,
                           std::span<const Piece> pieces) {
  auto w = OpenChain(inode, index, loc);
  if (!w.ok()) return w.status();
  return (*w)->Write(pieces);  // the writer's end gives the connection back
}

Status ChunkIo::WriteChunk(uint32_t inode, uint32_t index, std::span<const Piece> pieces) {
  uint64_t end = 0;
  for (const Piece& p : pieces)
    end = std::max(end, uint64_t{index} * kChunkSize + p.offset + p.data.size());
  Status last;
  ChunkserverWait waiting(options_.chunkserver_wait);
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    auto w = master_.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, inode, index}, false);
    if (!w.ok()) {
      if (waiting.Again(w.code())) {
        --attempt;  // not an attempt: the chunkservers are not back yet
        continue;
      }
      if (!Retryable(w.code())) return w.status();
      last = w.status();
      Backoff(attempt);
      continue;
    }
    const proto::ChunkLocation& loc = w->location;
    Status s = WriteChain(inode, index, loc, pieces);
    Status e = master_.Do(proto::CltomaWriteChunkEnd{0, loc.chunkid, inode, s.ok() ? end : 0});
    if (s.ok() && e.ok()) return s;
    last = s.ok() ? e : s;
    log::Warning("write of inode {} chunk {} failed (attempt {}): {}", inode, index, attempt + 1,
                 last.ToString());
    if (!Retryable(last.code())) return last;
    Backoff(attempt);
  }
  return ChunkserverWait::Final(last, Code::kNoChunkServers);
}

Result<proto::ChunkLocation> ChunkIo::BeginGrant(uint32_t inode, uint32_t index) {
  if (index > kMaxChunkIndex) return Status(Code::kIndexTooBig);
  auto w = master_.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, inode, index}, false);
  if (!w.ok()) return w.status();
  std::lock_guard lock(mu_);
  locations_[{inode, index}] = w->location;
  return w->location;
}

Status ChunkIo::EndGrant(uint32_t inode, const proto::ChunkLocation& grant, uint64_t file_length) {
  if (file_length > kMaxFileLength) return Status(Code::kTooBig);
  return master_.Do(proto::CltomaWriteChunkEnd{0, grant.chunkid, inode, file_length});
}

Status ChunkIo::PunchChunks(uint32_t inode, uint32_t first, uint32_t count) {
  if (uint64_t{first} + count > kMaxFileChunks) return Status(Code::kIndexTooBig);
  Status s =
      master_.Do(proto::CltomaPunchChunks{0, inode, first, count, proto::Creds{0, 0, {0}}}, false);
  Forget(inode);
  return s;
}

bool ChunkIo::Transient(Code c) {
  return Retryable(c);
}

Status ChunkIo::Write(uint32_t inode, uint64_t offset, std::span<const uint8_t> data) {
  const FilePiece piece{offset, data};
  return WriteScattered(inode, std::span<const FilePiece>(&piece, 1));
}

Status ChunkIo::WriteScattered(uint32_t inode, std::span<const FilePiece> pieces) {
  // Per chunk, its pieces in their original order (pieces in different chunks never
  // overlap, so the chunks may go one after another in index order).
  std::map<uint32_t, std::vector<Piece>> by_chunk;
  for (const FilePiece& fp : pieces) {
    if (!FitsInMaxLength(fp.offset, fp.data.size())) {
      return Status(Code::kTooBig, "past the maximum file length");
    }
  }
  for (const FilePiece& fp : pieces) {
    size_t done = 0;
    while (done < fp.data.size()) {
      const uint64_t pos = fp.offset + done;
      const uint32_t index = ChunkIndexOf(pos);
      const auto in_chunk = static_cast<uint32_t>(pos % kChunkSize);
      const auto n =
          static_cast<size_t>(std::min<uint64_t>(fp.data.size() - done, kChunkSize - in_chunk));
      by_chunk[index].push_back({in_chunk, fp.data.subspan(done, n)});
      done += n;
    }
  }
  Forget(inode);
  for (const auto& [index, chunk_pieces] : by_chunk) {
    ELK_RETURN_IF_ERROR(WriteChunk(inode, index, chunk_pieces));
  }
  Forget(inode);
  return Status::Ok();
}

}  // namespace elk::client
