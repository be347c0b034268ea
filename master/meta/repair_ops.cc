// mfsfilerepair: a file's chunks that no chunkserver holds in their current version are
// taken back to the newest older version one still holds, or made holes (read as zeros).
// Logged as REPAIR(inode,index,chunk,version) per chunk changed, version 0 for a hole, so
// a follower, a metalogger and a restart replay the same choice without the copies.

#include <map>

#include "master/meta/state.h"

namespace elk::master {

using changelog::BodyWriter;
using meta_internal::Args;
using meta_internal::kNoResult;
using meta_internal::MetaState;

namespace {

Status DoRepair(MetaState& st, InodeId inode, uint32_t index, ChunkId chunk, uint32_t version) {
  auto held = st.ns->ChunkAt(inode, index);
  if (!held.ok()) return held.status();
  if (*held != chunk) return Status(Code::kCorruption, "REPAIR: the file holds another chunk");
  if (version == 0) return st.ns->SetChunk(inode, index, 0);  // drops the file's reference
  return st.registry.RevertVersion(chunk, version);
}

using ReplayMap = std::map<std::string, meta_internal::ReplayFn, std::less<>>;

const ReplayMap& RepairReplays() {
  static const ReplayMap kMap = {
      {"REPAIR",
       [](MetaState& st, Args& a, uint32_t) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto index = a.Num<uint32_t>();
         auto chunk = a.Num<ChunkId>();
         auto version = a.Num<uint32_t>();
         ELK_RETURN_IF_ERROR(a.Finish("REPAIR"));
         ELK_RETURN_IF_ERROR(DoRepair(st, inode, index, chunk, version));
         return kNoResult;
       }},
  };
  return kMap;
}

}  // namespace

meta_internal::ReplayFn meta_internal::FindRepairReplay(std::string_view op) {
  const ReplayMap& map = RepairReplays();
  auto it = map.find(op);
  return it == map.end() ? nullptr : it->second;
}

Result<Metadata::RepairCounts> Metadata::RepairFile(const Cred& cred, InodeId inode, uint32_t now) {
  MetaState& st = *state_;
  ELK_RETURN_IF_ERROR(st.ns->Access(cred, inode, kMayWrite));
  auto slots = st.ns->ChunkSlots(inode);
  if (!slots.ok()) return slots.status();
  auto chunks = st.ns->ChunkEntries(inode);
  if (!chunks.ok()) return chunks.status();
  RepairCounts counts;
  for (const ChunkList::Entry& e : *chunks) {
    auto choice = st.registry.RepairCandidate(e.id);
    if (!choice.ok()) return choice.status();
    if (choice->has_valid) continue;
    ELK_RETURN_IF_ERROR(DoRepair(st, inode, e.index, e.id, choice->older_version));
    BodyWriter w(now, "REPAIR");
    w.Num(inode).Num(e.index).Num(e.id).Num(choice->older_version);
    ELK_RETURN_IF_ERROR(st.Log(w.Done()));
    ++(choice->older_version != 0 ? counts.repaired : counts.erased);
  }
  // As MooseFS counts them: every slot of the file's chunk list not changed, holes too.
  counts.not_changed = *slots - counts.erased - counts.repaired;
  return counts;
}

}  // namespace elk::master
