#include "master/server/chunk_writes.h"

#include <utility>

#include "common/log/log.h"
#include "common/protocol/message_types.h"

namespace elk::master {

namespace proto = protocol;

ChunkWrites::ChunkWrites(net::EventLoop& loop, ChunkRegistry& registry,
                         std::chrono::milliseconds timeout)
    : loop_(loop), registry_(registry), timeout_(timeout) {}

ChunkWrites::~ChunkWrites() {
  for (auto& [id, job] : jobs_)
    loop_.Cancel(job.timer);
}

Status ChunkWrites::SendCommand(const ChunkWriteOrder& o, ChunkserverLink& link) {
  if (o.created) return link.SendCreate(o.chunk, o.version);
  if (o.truncate_to && o.duplicated_from != 0) {
    return link.SendDuplicateTruncate(o.chunk, o.version, o.duplicated_from, o.old_version,
                                      *o.truncate_to);
  }
  if (o.truncate_to) return link.SendTruncate(o.chunk, *o.truncate_to, o.version, o.old_version);
  if (o.duplicated_from != 0) {
    return link.SendDuplicate(o.chunk, o.version, o.duplicated_from, o.old_version);
  }
  return link.SendSetVersion(o.chunk, o.version, o.old_version);
}

uint32_t ChunkWrites::ReplyType(const ChunkWriteOrder& o) {
  if (o.created) return proto::CSTOMA_CREATE_CHUNK;
  if (o.truncate_to) {
    return o.duplicated_from != 0 ? proto::CSTOMA_DUPTRUNC_CHUNK : proto::CSTOMA_TRUNCATE_CHUNK;
  }
  return o.duplicated_from != 0 ? proto::CSTOMA_DUPLICATE_CHUNK : proto::CSTOMA_SET_VERSION;
}

void ChunkWrites::Start(ChunkWriteOrder order, Done done) {
  uint64_t id = next_id_++;
  Job& job = jobs_[id];
  job.reply_type = ReplyType(order);
  job.order = std::move(order);
  job.done = std::move(done);
  job.state.assign(job.order.servers.size(), 0);
  for (size_t i = 0; i < job.order.servers.size(); i++) {
    ServerId server = job.order.servers[i].server;
    ChunkserverLink* link = hub_ != nullptr ? hub_->Find(server) : nullptr;
    if (link == nullptr || !SendCommand(job.order, *link).ok()) {
      FailAtOnce(job, i);
      continue;
    }
    waiting_[{job.order.chunk, server, job.reply_type}] = {id, i};
    job.waiting++;
  }
  std::weak_ptr<bool> alive = alive_;
  job.timer = loop_.RunAfter(timeout_, [this, alive, id] {
    if (alive.expired()) return;
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    it->second.timer = net::kNoTimer;
    log::Warning("chunk {:016X}: chunkservers did not answer in time", it->second.order.chunk);
    Finish(id);
  });
  // Never answer inside Start: the caller may still be in the middle of its request.
  loop_.Defer([this, alive, id] {
    if (!alive.expired()) MaybeFinish(id);
  });
}

void ChunkWrites::FailAtOnce(Job& job, size_t i) {
  job.state[i] = -1;
  ServerId server = job.order.servers[i].server;
  // The registry made the copy busy; a command that was never sent must release it.
  if (job.order.created) {
    (void)registry_.CreateDone(job.order.chunk, server, false);
  } else if (job.order.duplicated_from != 0) {
    (void)registry_.DuplicateDone(job.order.chunk, server, false);
  } else {
    (void)registry_.SetVersionDone(job.order.chunk, server, false);
  }
}

void ChunkWrites::OnChunkReply(ServerId server, uint32_t type, ChunkId chunk, bool ok) {
  auto it = waiting_.find({chunk, server, type});
  if (it == waiting_.end()) return;
  auto [id, i] = it->second;
  waiting_.erase(it);
  Answer(id, i, ok);
}

void ChunkWrites::OnServerGone(ServerId server) {
  std::vector<std::pair<uint64_t, size_t>> gone;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (std::get<1>(it->first) == server) {
      gone.push_back(it->second);
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto [id, i] : gone)
    Answer(id, i, false);
}

void ChunkWrites::Answer(uint64_t id, size_t i, bool ok) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  it->second.state[i] = ok ? 1 : -1;
  it->second.waiting--;
  MaybeFinish(id);
}

void ChunkWrites::MaybeFinish(uint64_t id) {
  auto it = jobs_.find(id);
  if (it != jobs_.end() && it->second.waiting == 0) Finish(id);
}

void ChunkWrites::Finish(uint64_t id) {
  auto node = jobs_.extract(id);
  Job& job = node.mapped();
  loop_.Cancel(job.timer);
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    it = it->second.first == id ? waiting_.erase(it) : std::next(it);
  }
  proto::ChunkLocation loc{job.order.chunk, job.order.version, job.order.file_length, {}};
  for (size_t i = 0; i < job.state.size(); i++) {
    if (job.state[i] == 1) {
      const auto& a = job.order.servers[i].address;
      loc.copies.push_back({a.ip, a.port});
    }
  }
  if (loc.copies.empty()) {
    (void)registry_.WriteEnd(job.order.chunk, job.order.session);
    Code code = job.order.created ? Code::kNoChunkServers : Code::kChunkLost;
    job.done(
        Status(code, fmt::format("no chunkserver could prepare chunk {:016X}", job.order.chunk)));
    return;
  }
  job.done(std::move(loc));
}

}  // namespace elk::master
