// The logged chunk side of files: a new chunk in a hole (CHUNKADD), copy-on-write of a chunk
// shared with a snapshot (DUPLICATE), a version bump (INCVERSION), and the length a write
// leaves (LENGTH). The registry's live calls (CreateChunk, PrepareWrite) allocate ids and
// place copies; the Do functions below are what replay runs with the logged ids.

#include <map>

#include "master/meta/state.h"

namespace elk::master {

using changelog::BodyWriter;
using meta_internal::Args;
using meta_internal::kNoResult;
using meta_internal::MetaState;

namespace {

// The file's part of a new chunk (the registry has created it with one reference).
Status DoChunkAdd(MetaState& st, InodeId inode, uint32_t index, ChunkId chunk) {
  return st.ns->SetChunk(inode, index, chunk);
}

// The file's part of copy-on-write: the registry moved one reference from old to new
// (ApplyDuplicate); SetChunk drops the file's reference to old, so give it back first.
Status DoDuplicate(MetaState& st, InodeId inode, uint32_t index, ChunkId old_id, ChunkId new_id,
                   uint8_t goal) {
  ELK_RETURN_IF_ERROR(st.registry.AddRef(old_id, goal));
  return st.ns->SetChunk(inode, index, new_id);
}

// A write ended past the file's end: the file grows (and its mtime moves).
Status DoLength(MetaState& st, InodeId inode, uint64_t length, uint32_t now) {
  SetAttrRequest req;
  req.length = length;
  req.mtime_how = TimeSet::kValue;
  req.mtime = FileTimeOf(now);
  return st.ns->SetAttr(Cred{}, inode, req, now).status();
}

using ReplayMap = std::map<std::string, meta_internal::ReplayFn, std::less<>>;

const ReplayMap& ChunkReplays() {
  static const ReplayMap kMap = {
      {"CHUNKADD",
       [](MetaState& st, Args& a, uint32_t) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto index = a.Num<uint32_t>();
         auto goal = a.Num<uint8_t>();
         auto chunk = a.Num<ChunkId>();
         ELK_RETURN_IF_ERROR(a.Finish("CHUNKADD"));
         ELK_RETURN_IF_ERROR(st.registry.ApplyCreate(chunk, goal));
         ELK_RETURN_IF_ERROR(DoChunkAdd(st, inode, index, chunk));
         return chunk;
       }},
      {"DUPLICATE",
       [](MetaState& st, Args& a, uint32_t) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto index = a.Num<uint32_t>();
         auto goal = a.Num<uint8_t>();
         auto old_id = a.Num<ChunkId>();
         auto new_id = a.Num<ChunkId>();
         ELK_RETURN_IF_ERROR(a.Finish("DUPLICATE"));
         ELK_RETURN_IF_ERROR(st.registry.ApplyDuplicate(old_id, new_id, goal));
         ELK_RETURN_IF_ERROR(DoDuplicate(st, inode, index, old_id, new_id, goal));
         return new_id;
       }},
      {"INCVERSION",
       [](MetaState& st, Args& a, uint32_t) -> Result<uint64_t> {
         auto chunk = a.Num<ChunkId>();
         ELK_RETURN_IF_ERROR(a.Finish("INCVERSION"));
         ELK_RETURN_IF_ERROR(st.registry.ApplyIncVersion(chunk));
         return uint64_t{st.registry.Find(chunk)->version()};
       }},
      {"LENGTH",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto length = a.Num<uint64_t>();
         ELK_RETURN_IF_ERROR(a.Finish("LENGTH"));
         ELK_RETURN_IF_ERROR(DoLength(st, inode, length, ts));
         return kNoResult;
       }},
  };
  return kMap;
}

}  // namespace

meta_internal::ReplayFn meta_internal::FindChunkReplay(std::string_view op) {
  const ReplayMap& map = ChunkReplays();
  auto it = map.find(op);
  return it == map.end() ? nullptr : it->second;
}

Result<Metadata::ChunkWrite> Metadata::PrepareChunkWrite(const Cred& cred, InodeId inode,
                                                         uint32_t index, uint32_t session,
                                                         uint32_t now) {
  MetaState& st = *state_;
  ELK_RETURN_IF_ERROR(st.ns->Access(cred, inode, kMayWrite));
  auto current = st.ns->ChunkAt(inode, index);
  if (!current.ok()) return current.status();
  auto goal = st.ns->GetGoal(inode);
  if (!goal.ok()) return goal.status();
  ChunkWrite out;
  if (*current == 0) {
    auto made = st.registry.CreateChunk(*goal, now, session);
    if (!made.ok()) return made.status();
    ELK_RETURN_IF_ERROR(DoChunkAdd(st, inode, index, made->id));
    BodyWriter w(now, "CHUNKADD");
    w.Num(inode).Num(index).Num(*goal).Num(made->id);
    ELK_RETURN_IF_ERROR(st.Log(w.Done(made->id)));
    out.chunk = made->id;
    out.version = made->version;
    out.created = true;
    out.servers = std::move(made->servers);
    return out;
  }
  auto plan = st.registry.PrepareWrite(*current, *goal, session, now);
  if (!plan.ok()) return plan.status();
  if (plan->duplicated_from != 0) {
    ELK_RETURN_IF_ERROR(DoDuplicate(st, inode, index, *current, plan->chunk, *goal));
    BodyWriter w(now, "DUPLICATE");
    w.Num(inode).Num(index).Num(*goal).Num(*current).Num(plan->chunk);
    ELK_RETURN_IF_ERROR(st.Log(w.Done(plan->chunk)));
  } else {
    ELK_RETURN_IF_ERROR(st.Log(BodyWriter(now, "INCVERSION").Num(plan->chunk).Done(plan->version)));
  }
  out.chunk = plan->chunk;
  out.version = plan->version;
  out.plan = std::move(*plan);
  return out;
}

Status Metadata::ForgetUnmadeChunk(InodeId inode, uint32_t index, ChunkId chunk, uint32_t now) {
  auto current = state_->ns->ChunkAt(inode, index);
  if (!current.ok() || *current != chunk) return Status::Ok();
  return PunchChunks(Cred{}, inode, index, 1, now);
}

Status Metadata::ChunkWriteEnd(InodeId inode, ChunkId chunk, uint64_t length, uint32_t session,
                               uint32_t now) {
  MetaState& st = *state_;
  ELK_RETURN_IF_ERROR(st.registry.WriteEnd(chunk, session));
  if (length > kMaxFileLength) return Status(Code::kTooBig, "past the maximum file length");
  auto attr = st.ns->GetAttr(inode);
  if (!attr.ok()) return attr.status();
  if (attr->type != NodeType::kFile || length <= attr->length) return Status::Ok();
  // The grant is for one chunk of one file: it may grow that file only, and only to an end
  // inside that chunk (a client's write end names the end of what it wrote there). Anything
  // else - another file, a length past the chunk - is ignored, not applied.
  const uint64_t last = (length - 1) / kChunkSize;
  if (last > UINT32_MAX) return Status::Ok();
  auto held = st.ns->ChunkAt(inode, static_cast<uint32_t>(last));
  if (!held.ok() || *held != chunk) return Status::Ok();
  ELK_RETURN_IF_ERROR(DoLength(st, inode, length, now));
  return st.Log(BodyWriter(now, "LENGTH").Num(inode).Num(length).Done());
}

Result<Metadata::ChunkRead> Metadata::ChunkForRead(InodeId inode, uint32_t index) const {
  const MetaState& st = *state_;
  auto attr = st.ns->GetAttr(inode);
  if (!attr.ok()) return attr.status();
  auto chunk = st.ns->ChunkAt(inode, index);
  if (!chunk.ok()) return chunk.status();
  ChunkRead out;
  out.chunk = *chunk;
  out.file_length = attr->length;
  if (*chunk == 0) return out;
  auto plan = st.registry.ReadLocations(*chunk);
  if (!plan.ok()) return plan.status();
  out.plan = std::move(*plan);
  return out;
}

}  // namespace elk::master
