#include "master/server/chunk_truncation.h"

#include <utility>

#include "common/log/log.h"
#include "master/server/convert.h"

namespace elk::master {

namespace proto = protocol;

namespace {

using Clock = std::chrono::steady_clock;

void Answer(ClientContext& ctx, const TruncateRequest& r, const Result<Attr>& attr) {
  auto conn = r.conn.lock();
  if (!conn) return;
  if (!attr.ok()) return ctx.gate.Reply(conn, proto::MatoclStatus{r.msgid, attr.status().code()});
  ctx.gate.Reply(conn, proto::MatoclSetattr{r.msgid, ToWire(*attr)});
}

// The last step: the length (and whatever else the request sets), logged and answered.
void Apply(ClientContext& ctx, const TruncateRequest& r) {
  auto done = ctx.meta.SetAttr(r.cred, r.inode, r.req, ctx.now());
  if (!done.ok()) return Answer(ctx, r, done.status());
  Answer(ctx, r, done->attr);
}

bool Retryable(Code c) {
  return c == Code::kLocked || c == Code::kChunkBusy;
}

void CutThenApply(ClientContext& ctx, TruncateRequest r, Clock::time_point give_up) {
  if (Status s = ctx.meta.ns().CheckSetAttr(r.cred, r.inode, r.req); !s.ok()) {
    return Answer(ctx, r, s);
  }
  const std::optional<ChunkCut> cut = CutFor(ctx.meta.ns(), r.inode, r.req);
  if (!cut) return Apply(ctx, r);
  auto w = ctx.meta.PrepareChunkWrite(Cred{}, r.inode, cut->index, r.session, ctx.now());
  if (!w.ok() && Retryable(w.code()) && Clock::now() < give_up) {
    ctx.loop.RunAfter(kRetryEvery, [&ctx, r = std::move(r), give_up]() mutable {
      CutThenApply(ctx, std::move(r), give_up);
    });
    return;
  }
  if (!w.ok()) return Answer(ctx, r, w.status());
  // The new version is on disk before any chunkserver takes it (see WriteChunk).
  if (Status s = ctx.meta.Commit(); !s.ok()) return Answer(ctx, r, s);
  ChunkWriteOrder order;
  order.chunk = w->chunk;
  order.version = w->version;
  order.old_version = w->plan.old_version;
  order.duplicated_from = w->plan.duplicated_from;
  order.servers = w->plan.chain;
  order.session = r.session;
  order.truncate_to = cut->keep;
  const ChunkId chunk = w->chunk;
  ctx.writes.Start(
      std::move(order), [&ctx, r = std::move(r), chunk](Result<proto::ChunkLocation> cut_done) {
        // Unlocks (a total failure has unlocked already); the length is not
        // grown here, so nothing is logged.
        (void)ctx.meta.ChunkWriteEnd(r.inode, chunk, 0, r.session, ctx.now());
        if (!cut_done.ok()) {
          log::Warning("truncate of inode {}: {}", r.inode, cut_done.status().ToString());
          return Answer(ctx, r, cut_done.status());
        }
        Apply(ctx, r);
      });
}

}  // namespace

std::optional<ChunkCut> CutFor(const Namespace& ns, InodeId inode, const SetAttrRequest& req) {
  if (!req.length) return std::nullopt;
  auto attr = ns.GetAttr(inode);
  if (!attr.ok() || attr->type != NodeType::kFile || *req.length >= attr->length) {
    return std::nullopt;
  }
  const uint64_t index = *req.length / kChunkSize;
  const uint64_t keep = *req.length % kChunkSize;
  if (keep == 0 || index > UINT32_MAX) return std::nullopt;
  auto chunk = ns.ChunkAt(inode, static_cast<uint32_t>(index));
  if (!chunk.ok() || *chunk == 0) return std::nullopt;
  return ChunkCut{static_cast<uint32_t>(index), static_cast<uint32_t>(keep)};
}

void TruncateIntoChunk(ClientContext& ctx, TruncateRequest r) {
  CutThenApply(ctx, std::move(r), Clock::now() + kRetryFor);
}

}  // namespace elk::master
