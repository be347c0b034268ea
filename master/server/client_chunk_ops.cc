// Chunk requests of a client link (goals, trash times and snapshots: client_tree_ops.cc).
#include <utility>

#include "common/log/log.h"
#include "master/server/client_link.h"

namespace elk::master {

namespace proto = protocol;

// A session reads the chunks of a file it holds open for reading, and writes those of a
// file it holds open for writing (CLTOMA_OPEN or CLTOMA_CREATE checked the permission, with
// the export's credentials), as MooseFS does. A meta session reads trash and reserved files
// (MetaMayDo) and opens nothing. Refusals are kNotOpened (EBADF, as a read or write on a
// descriptor not open for it).
Status ClientLink::MayUseChunks(InodeId inode, uint8_t need) const {
  if (meta_ && need == kOpenedRead) return Status::Ok();
  if ((ctx_.meta.ns().OpenModeOf(inode, session_id_) & need) == need) return Status::Ok();
  return Status(Code::kNotOpened, need == kOpenedRead ? "not open for reading in this session"
                                                      : "not open for writing in this session");
}

void ClientLink::ReadChunk(const proto::CltomaReadChunk& m) {
  if (Status s = MayUseChunks(m.inode, kOpenedRead); !s.ok()) return ReplyStatus(m.msgid, s);
  auto r = ctx_.meta.ChunkForRead(m.inode, m.chunk_index);
  if (!r.ok()) return ReplyStatus(m.msgid, r.status());
  proto::ChunkLocation loc{r->chunk, r->plan.version, r->file_length, {}};
  for (const auto& l : r->plan.copies)
    loc.copies.push_back({l.address.ip, l.address.port});
  Reply(proto::MatoclReadChunk{m.msgid, std::move(loc)});
}

void ClientLink::WriteChunk(const proto::CltomaWriteChunk& m) {
  Status may = Writable();
  if (may.ok()) may = MayUseChunks(m.inode, kOpenedWrite);
  if (!may.ok()) return ReplyStatus(m.msgid, may);
  auto w = ctx_.meta.PrepareChunkWrite(Cred{}, m.inode, m.chunk_index, session_id_, Now());
  if (!w.ok()) return ReplyStatus(m.msgid, w.status());
  auto attr = ctx_.meta.ns().GetAttr(m.inode);
  ChunkWriteOrder order;
  order.chunk = w->chunk;
  order.version = w->version;
  order.created = w->created;
  order.old_version = w->plan.old_version;
  order.duplicated_from = w->plan.duplicated_from;
  order.servers = w->created ? w->servers : w->plan.chain;
  order.session = session_id_;
  order.file_length = attr.ok() ? attr->length : 0;
  // The new version (or copy) is on disk before any chunkserver takes it: a master killed
  // after the command must not come back at the old version with every copy ahead of it.
  if (Status s = ctx_.meta.Commit(); !s.ok()) return ReplyStatus(m.msgid, s);
  std::weak_ptr<net::Connection> weak = conn_;
  uint32_t msgid = m.msgid;
  ReplyGate& gate = ctx_.gate;
  Metadata& meta = ctx_.meta;
  const bool created = order.created;
  const ChunkId chunk = order.chunk;
  auto on_done = [weak, msgid, &gate, &meta, created, chunk, inode = m.inode, index = m.chunk_index,
                  now = Now()](Result<proto::ChunkLocation> r) {
    if (created && !r.ok()) {
      Status f = meta.ForgetUnmadeChunk(inode, index, chunk, now);
      if (!f.ok())
        log::Warning("chunk {:016X} made nowhere, still in inode {}: {}", chunk, inode,
                     f.ToString());
    }
    auto conn = weak.lock();
    if (!conn) return;
    if (!r.ok()) return gate.Reply(conn, proto::MatoclStatus{msgid, r.status().code()});
    gate.Reply(conn, proto::MatoclWriteChunk{msgid, std::move(*r)});
  };
  ctx_.writes.Start(std::move(order), std::move(on_done));
}

// Not checked against the opens: the grant is the permission, and a release that overtakes
// the write's end (another thread's close) must not undo a write the chain has taken.
void ClientLink::WriteChunkEnd(const proto::CltomaWriteChunkEnd& m) {
  ReplyStatus(m.msgid,
              ctx_.meta.ChunkWriteEnd(m.inode, m.chunkid, m.file_length, session_id_, Now()));
}

std::pair<uint32_t, std::vector<proto::ChunkCopyInfo>> ClientLink::CopiesOf(ChunkId chunk) const {
  std::pair<uint32_t, std::vector<proto::ChunkCopyInfo>> out{0, {}};
  const ChunkRegistry& reg = ctx_.meta.chunks();
  const Chunk* c = chunk != 0 ? reg.Find(chunk) : nullptr;
  if (c == nullptr) return out;
  out.first = c->version();
  for (const Copy& copy : c->copies().view()) {
    Location l = reg.LocationOf(copy.server);
    bool valid = copy.state == CopyState::kValid && reg.servers().IsConnected(copy.server);
    out.second.push_back({{l.address.ip, l.address.port}, copy.version, valid});
  }
  return out;
}

void ClientLink::ChunkInfo(const proto::CltomaChunkInfo& m) {
  auto chunk = ctx_.meta.ns().ChunkAt(m.inode, m.chunk_index);
  if (!chunk.ok()) return ReplyStatus(m.msgid, chunk.status());
  auto [version, copies] = CopiesOf(*chunk);
  Reply(proto::MatoclChunkInfo{m.msgid, *chunk, version, std::move(copies)});
}

// One page of a file's existing chunks. A page holds at most kChunkListPage chunks and
// stays within half of MATOCL_CHUNK_LIST's limit whatever the copies, so a reply is
// bounded in bytes and in the master's time; the tool asks again from next_index.
void ClientLink::ListChunks(const proto::CltomaChunkList& m) {
  const Namespace& ns = ctx_.meta.ns();
  auto attr = ns.GetAttr(m.inode);
  if (!attr.ok()) return ReplyStatus(m.msgid, attr.status());
  // One more than a page: whether it exists says where the next page starts.
  auto entries = ns.ChunkEntriesFrom(m.inode, m.first_index, kChunkListPage + 1);
  if (!entries.ok()) return ReplyStatus(m.msgid, entries.status());
  proto::MatoclChunkList reply{m.msgid, attr->length, proto::kChunkListEnd, {}};
  const size_t budget = proto::MaxPayload(proto::MATOCL_CHUNK_LIST) / 2;
  size_t bytes = 20;  // msgid, file_length, next_index, count
  for (const master::ChunkList::Entry& e : *entries) {
    auto [version, copies] = CopiesOf(e.id);
    const size_t size = 20 + copies.size() * 11;
    if (reply.chunks.size() == kChunkListPage || (!reply.chunks.empty() && bytes + size > budget)) {
      reply.next_index = e.index;
      break;
    }
    bytes += size;
    reply.chunks.push_back({e.index, e.id, version, std::move(copies)});
  }
  Reply(reply);
}

void ClientLink::AppendChunks(const proto::CltomaAppendChunks& m) {
  Status s = Writable();
  if (s.ok()) {
    InodeId src = m.src_inode;
    s = ctx_.meta.AppendChunks(MapCred(m.creds), m.dst_inode, std::span<const InodeId>(&src, 1),
                               Now());
  }
  ReplyStatus(m.msgid, s);
}

void ClientLink::PunchChunks(const proto::CltomaPunchChunks& m) {
  Status s = Writable();
  if (s.ok()) s = ctx_.meta.PunchChunks(MapCred(m.creds), m.inode, m.first_index, m.count, Now());
  ReplyStatus(m.msgid, s);
}

void ClientLink::Repair(const proto::CltomaRepair& m) {
  if (Status s = Writable(); !s.ok()) return ReplyStatus(m.msgid, s);
  auto r = ctx_.meta.RepairFile(MapCred(m.creds), m.inode, Now());
  if (!r.ok()) return ReplyStatus(m.msgid, r.status());
  Reply(proto::MatoclRepair{m.msgid, r->not_changed, r->erased, r->repaired});
}

}  // namespace elk::master
