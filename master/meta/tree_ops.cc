// The slices of a recursive mfssetgoal / mfssettrashtime. The server walks the tree a
// slice at a time (Namespace::WalkSome) and hands each slice's nodes here; each call logs
// records naming exactly the nodes that changed, so replay changes exactly those, through
// the same Namespace call, whatever else happened between the slices. The whole-tree
// SETGOAL / SETTRASHTIME records of older changelogs still replay through ops.cc.

#include <algorithm>
#include <map>

#include "master/meta/state.h"

namespace elk::master {

using changelog::BodyWriter;
using meta_internal::Args;
using meta_internal::MetaState;
using meta_internal::PutCred;

namespace {

// A record names at most this many nodes: 16,384 ids of up to 10 digits stay far below
// the 1 MiB a record may take on its way to a metalogger (MATOML_CHANGELOG).
constexpr size_t kMaxNodesPerRecord = 16384;

std::string NodesRecord(uint32_t now, std::string_view op, uint32_t value, SetMode mode,
                        const Cred& cred, const std::vector<InodeId>& changed) {
  BodyWriter w(now, op);
  w.Num(value).Num(static_cast<uint8_t>(mode));
  PutCred(w, cred);
  w.Num(changed.size());
  for (InodeId id : changed)
    w.Num(id);
  return w.Done(changed.size());
}

// value, mode, cred, count, ids: what NodesRecord wrote.
struct NodesArgs {
  uint32_t value = 0;
  SetMode mode = SetMode::kSet;
  Cred cred;
  std::vector<InodeId> ids;
};

Result<NodesArgs> ReadNodes(Args& a, std::string_view op) {
  NodesArgs n;
  n.value = a.Num<uint32_t>();
  n.mode = static_cast<SetMode>(a.Num<uint8_t>());
  n.cred = a.ReadCred();
  auto count = a.Num<uint32_t>();
  if (count > kMaxNodesPerRecord) return Status(Code::kCorruption, "too many nodes in a record");
  n.ids.reserve(count);
  for (uint32_t i = 0; i < count; ++i)
    n.ids.push_back(a.Num<InodeId>());
  ELK_RETURN_IF_ERROR(a.Finish(op));
  return n;
}

using ReplayMap = std::map<std::string, meta_internal::ReplayFn, std::less<>>;

const ReplayMap& TreeReplays() {
  static const ReplayMap kMap = {
      {"SETGOALS",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto n = ReadNodes(a, "SETGOALS");
         if (!n.ok()) return n.status();
         if (n->value > 255) return Status(Code::kCorruption, "SETGOALS: bad goal");
         auto r = st.ns->SetGoalOf(n->cred, n->ids, static_cast<uint8_t>(n->value), n->mode, ts,
                                   nullptr);
         if (!r.ok()) return r.status();
         return r->changed;
       }},
      {"SETTRASHTIMES",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto n = ReadNodes(a, "SETTRASHTIMES");
         if (!n.ok()) return n.status();
         return st.ns->SetTrashTimeOf(n->cred, n->ids, n->value, n->mode, ts, nullptr).changed;
       }},
  };
  return kMap;
}

// Runs `apply` on ids in parts of at most kMaxNodesPerRecord and logs one record per part
// that changed anything.
template <typename Apply>
Result<RecursiveSetCounts> InParts(MetaState& st, std::span<const InodeId> ids, uint32_t now,
                                   std::string_view op, uint32_t value, SetMode mode,
                                   const Cred& cred, Apply apply) {
  RecursiveSetCounts total;
  for (size_t at = 0; at < ids.size(); at += kMaxNodesPerRecord) {
    auto part = ids.subspan(at, std::min(kMaxNodesPerRecord, ids.size() - at));
    std::vector<InodeId> changed;
    Result<RecursiveSetCounts> r = apply(part, &changed);
    if (!r.ok()) return r;
    total += *r;
    if (changed.empty()) continue;  // nothing changed: nothing to log
    ELK_RETURN_IF_ERROR(st.Log(NodesRecord(now, op, value, mode, cred, changed)));
  }
  return total;
}

}  // namespace

meta_internal::ReplayFn meta_internal::FindTreeReplay(std::string_view op) {
  const ReplayMap& map = TreeReplays();
  auto it = map.find(op);
  return it == map.end() ? nullptr : it->second;
}

Result<RecursiveSetCounts> Metadata::SetGoalOf(const Cred& cred, std::span<const InodeId> ids,
                                               uint8_t goal, SetMode mode, uint32_t now) {
  Namespace& ns = *state_->ns;
  return InParts(*state_, ids, now, "SETGOALS", goal, mode, cred,
                 [&](std::span<const InodeId> part, std::vector<InodeId>* changed) {
                   return ns.SetGoalOf(cred, part, goal, mode, now, changed);
                 });
}

Result<RecursiveSetCounts> Metadata::SetTrashTimeOf(const Cred& cred, std::span<const InodeId> ids,
                                                    uint32_t trashtime, SetMode mode,
                                                    uint32_t now) {
  Namespace& ns = *state_->ns;
  return InParts(*state_, ids, now, "SETTRASHTIMES", trashtime, mode, cred,
                 [&](std::span<const InodeId> part,
                     std::vector<InodeId>* changed) -> Result<RecursiveSetCounts> {
                   return ns.SetTrashTimeOf(cred, part, trashtime, mode, now, changed);
                 });
}

}  // namespace elk::master
