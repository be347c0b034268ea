// The logged namespace mutations. Each operation has one Do function that both the live
// call and changelog replay run; the live call logs the record after it succeeded, and the
// replay function reads the same arguments back in the same order.

#include <algorithm>
#include <map>

#include "master/meta/state.h"

namespace elk::master {

using changelog::BodyWriter;
using meta_internal::Args;
using meta_internal::kNoResult;
using meta_internal::MetaState;
using meta_internal::PutCred;

namespace {

// ---- one Do function per operation: the only code that changes the state ----

Result<Attr> DoCreate(MetaState& st, const Cred& cred, InodeId parent, std::string_view name,
                      NodeType type, uint16_t mode, uint16_t umask, uint32_t rdev, uint32_t now) {
  return st.ns->Create(cred, parent, name, type, mode, umask, rdev, now);
}

Result<std::vector<ChunkId>> DoPurge(MetaState& st, InodeId inode, uint32_t now) {
  return st.ns->PurgeTrashItem(inode, now);
}

Status DoOpen(MetaState& st, InodeId inode, uint32_t session, uint8_t mode) {
  return st.ns->Open(inode, session, mode);
}

void DoClose(MetaState& st, InodeId inode, uint32_t session, uint32_t now) {
  (void)st.ns->Close(inode, session, now);
}

// The record carries the account flat: inode:count:mode for each file.
void DoSetOpens(MetaState& st, uint32_t session, std::span<const SessionOpen> opens, uint32_t now) {
  st.ns->SetOpens(session, opens, now);
}

Status DoAppend(MetaState& st, const Cred& cred, InodeId dst, const std::vector<uint32_t>& srcs,
                uint32_t now) {
  return st.ns->AppendChunks(cred, dst, srcs, now);
}

// Times are FileTimeText ("1577836800.123456789", "-315619200"); records of the u32-second
// layout hold bare seconds in the same places, which Time() reads as whole seconds.
SetAttrRequest ReadSetAttr(Args& a) {
  SetAttrRequest req;
  auto present = a.Num<uint8_t>();
  auto mode = a.Num<uint16_t>();
  auto uid = a.Num<uint32_t>();
  auto gid = a.Num<uint32_t>();
  req.atime_how = static_cast<TimeSet>(a.Num<uint8_t>());
  req.atime = a.Time();
  req.mtime_how = static_cast<TimeSet>(a.Num<uint8_t>());
  req.mtime = a.Time();
  auto length = a.Num<uint64_t>();
  if (present & 1) req.mode = mode;
  if (present & 2) req.uid = uid;
  if (present & 4) req.gid = gid;
  if (present & 8) req.length = length;
  req.open_for_write = (present & 16) != 0;  // records before it was logged lack the bit
  return req;
}

void PutSetAttr(BodyWriter& w, const SetAttrRequest& req) {
  uint8_t present = (req.mode ? 1 : 0) | (req.uid ? 2 : 0) | (req.gid ? 4 : 0) |
                    (req.length ? 8 : 0) | (req.open_for_write ? 16 : 0);
  w.Num(present).Num(req.mode.value_or(0)).Num(req.uid.value_or(0)).Num(req.gid.value_or(0));
  w.Num(static_cast<uint8_t>(req.atime_how)).Time(req.atime);
  w.Num(static_cast<uint8_t>(req.mtime_how)).Time(req.mtime).Num(req.length.value_or(0));
}

template <typename T>
Result<uint64_t> InodeOf(const Result<T>& r) {
  if (!r.ok()) return r.status();
  return uint64_t{r->inode};
}

Result<uint64_t> NoResult(const Status& s) {
  if (!s.ok()) return s;
  return kNoResult;
}

Result<uint64_t> Changed(const Result<RecursiveSetCounts>& r) {
  if (!r.ok()) return r.status();
  return r->changed;
}

// ---- replay: the same arguments, read back in the order they were written ----

using ReplayMap = std::map<std::string, meta_internal::ReplayFn, std::less<>>;

const ReplayMap& NamespaceReplays() {
  static const ReplayMap kMap = {
      {"INIT",
       [](MetaState& st, Args&, uint32_t ts) -> Result<uint64_t> {
         if (st.version != 0) return Status(Code::kCorruption, "INIT after version 0");
         st.ns = std::make_unique<Namespace>(st.refs, ts);
         return kNoResult;
       }},
      {"CREATE",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto parent = a.Num<InodeId>();
         auto name = a.Str();
         auto type = static_cast<NodeType>(a.Num<uint8_t>());
         auto mode = a.Num<uint16_t>();
         auto umask = a.Num<uint16_t>();
         auto rdev = a.Num<uint32_t>();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("CREATE"));
         return InodeOf(DoCreate(st, cred, parent, name, type, mode, umask, rdev, ts));
       }},
      {"MKDIR",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto parent = a.Num<InodeId>();
         auto name = a.Str();
         auto mode = a.Num<uint16_t>();
         auto umask = a.Num<uint16_t>();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("MKDIR"));
         return InodeOf(st.ns->Mkdir(cred, parent, name, mode, umask, ts));
       }},
      {"SYMLINK",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto parent = a.Num<InodeId>();
         auto name = a.Str();
         auto target = a.Str();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("SYMLINK"));
         return InodeOf(st.ns->Symlink(cred, parent, name, target, ts));
       }},
      {"LINK",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto parent = a.Num<InodeId>();
         auto name = a.Str();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("LINK"));
         return InodeOf(st.ns->Link(cred, inode, parent, name, ts));
       }},
      {"SETATTR",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         SetAttrRequest req = ReadSetAttr(a);
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("SETATTR"));
         auto r = st.ns->SetAttr(cred, inode, req, ts);
         return NoResult(r.status());
       }},
      {"UNLINK",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto parent = a.Num<InodeId>();
         auto name = a.Str();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("UNLINK"));
         return NoResult(st.ns->Unlink(cred, parent, name, ts));
       }},
      {"RMDIR",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto parent = a.Num<InodeId>();
         auto name = a.Str();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("RMDIR"));
         return NoResult(st.ns->Rmdir(cred, parent, name, ts));
       }},
      {"RENAME",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto sp = a.Num<InodeId>();
         auto sn = a.Str();
         auto dp = a.Num<InodeId>();
         auto dn = a.Str();
         auto flags = static_cast<RenameFlags>(a.Num<uint8_t>());
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("RENAME"));
         return NoResult(st.ns->Rename(cred, sp, sn, dp, dn, flags, ts));
       }},
      {"SETXATTR",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto name = a.Str();
         auto value = a.Str();
         auto flags = static_cast<XattrFlags>(a.Num<uint8_t>());
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("SETXATTR"));
         return NoResult(st.ns->SetXattr(cred, inode, name, value, flags, ts));
       }},
      {"REMOVEXATTR",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto name = a.Str();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("REMOVEXATTR"));
         return NoResult(st.ns->RemoveXattr(cred, inode, name, ts));
       }},
      {"SETGOAL",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto goal = a.Num<uint8_t>();
         auto mode = static_cast<SetMode>(a.Num<uint8_t>());
         auto recursive = a.Num<uint8_t>() != 0;
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("SETGOAL"));
         return Changed(st.ns->SetGoal(cred, inode, goal, mode, recursive, ts));
       }},
      {"SETTRASHTIME",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto tt = a.Num<uint32_t>();
         auto mode = static_cast<SetMode>(a.Num<uint8_t>());
         auto recursive = a.Num<uint8_t>() != 0;
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("SETTRASHTIME"));
         return Changed(st.ns->SetTrashTime(cred, inode, tt, mode, recursive, ts));
       }},
      {"SNAPSHOT",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto src = a.Num<InodeId>();
         auto dp = a.Num<InodeId>();
         auto dn = a.Str();
         auto overwrite = a.Num<uint8_t>() != 0;
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("SNAPSHOT"));
         return InodeOf(st.ns->MakeSnapshot(cred, src, dp, dn, overwrite, ts));
       }},
      {"APPEND",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto dst = a.Num<InodeId>();
         auto srcs = a.List();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("APPEND"));
         return NoResult(DoAppend(st, cred, dst, srcs, ts));
       }},
      {"PUNCH",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto first = a.Num<uint32_t>();
         auto count = a.Num<uint32_t>();
         Cred cred = a.ReadCred();
         ELK_RETURN_IF_ERROR(a.Finish("PUNCH"));
         return NoResult(st.ns->PunchChunks(cred, inode, first, count, ts));
       }},
      {"UNDEL",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         ELK_RETURN_IF_ERROR(a.Finish("UNDEL"));
         return NoResult(st.ns->Undelete(inode, ts));
       }},
      {"SETPATH",
       [](MetaState& st, Args& a, uint32_t) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto path = a.Str();
         ELK_RETURN_IF_ERROR(a.Finish("SETPATH"));
         return NoResult(st.ns->SetTrashPath(inode, path));
       }},
      {"PURGE",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         ELK_RETURN_IF_ERROR(a.Finish("PURGE"));
         return NoResult(DoPurge(st, inode, ts).status());
       }},
      {"OPEN",
       [](MetaState& st, Args& a, uint32_t) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto session = a.Num<uint32_t>();
         // Records before modes were logged have none: their master let every open read
         // and write.
         const uint8_t mode = a.AtEnd() ? kOpenedAny : a.Num<uint8_t>();
         ELK_RETURN_IF_ERROR(a.Finish("OPEN"));
         if ((mode & ~kOpenedAny) != 0) return Status(Code::kCorruption, "OPEN: bad mode");
         return NoResult(DoOpen(st, inode, session, mode));
       }},
      {"OPENS",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto session = a.Num<uint32_t>();
         auto flat = a.List();
         ELK_RETURN_IF_ERROR(a.Finish("OPENS"));
         if (flat.size() % 3 != 0) return Status(Code::kCorruption, "OPENS: bad list");
         std::vector<SessionOpen> opens;
         for (size_t i = 0; i < flat.size(); i += 3) {
           if ((flat[i + 2] & ~uint32_t{kOpenedAny}) != 0)
             return Status(Code::kCorruption, "OPENS: bad mode");
           opens.push_back({flat[i], flat[i + 1], static_cast<uint8_t>(flat[i + 2])});
         }
         DoSetOpens(st, session, opens, ts);
         return kNoResult;
       }},
      {"CLOSE",
       [](MetaState& st, Args& a, uint32_t ts) -> Result<uint64_t> {
         auto inode = a.Num<InodeId>();
         auto session = a.Num<uint32_t>();
         ELK_RETURN_IF_ERROR(a.Finish("CLOSE"));
         DoClose(st, inode, session, ts);
         return kNoResult;
       }},
  };
  return kMap;
}

}  // namespace

meta_internal::ReplayFn meta_internal::FindNamespaceReplay(std::string_view op) {
  const ReplayMap& map = NamespaceReplays();
  auto it = map.find(op);
  return it == map.end() ? nullptr : it->second;
}

// ---- the live calls: run the Do function (or the namespace call the replay runs), log ----

Result<Attr> Metadata::Create(const Cred& cred, InodeId parent, std::string_view name,
                              NodeType type, uint16_t mode, uint16_t umask, uint32_t rdev,
                              uint32_t now) {
  auto r = DoCreate(*state_, cred, parent, name, type, mode, umask, rdev, now);
  if (!r.ok()) return r;
  BodyWriter w(now, "CREATE");
  w.Num(parent).Str(name).Num(static_cast<uint8_t>(type)).Num(mode).Num(umask).Num(rdev);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done(r->inode)));
  return r;
}

Result<Attr> Metadata::Mkdir(const Cred& cred, InodeId parent, std::string_view name, uint16_t mode,
                             uint16_t umask, uint32_t now) {
  auto r = state_->ns->Mkdir(cred, parent, name, mode, umask, now);
  if (!r.ok()) return r;
  BodyWriter w(now, "MKDIR");
  w.Num(parent).Str(name).Num(mode).Num(umask);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done(r->inode)));
  return r;
}

Result<Attr> Metadata::Symlink(const Cred& cred, InodeId parent, std::string_view name,
                               std::string_view target, uint32_t now) {
  auto r = state_->ns->Symlink(cred, parent, name, target, now);
  if (!r.ok()) return r;
  BodyWriter w(now, "SYMLINK");
  w.Num(parent).Str(name).Str(target);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done(r->inode)));
  return r;
}

Result<Attr> Metadata::Link(const Cred& cred, InodeId inode, InodeId parent, std::string_view name,
                            uint32_t now) {
  auto r = state_->ns->Link(cred, inode, parent, name, now);
  if (!r.ok()) return r;
  BodyWriter w(now, "LINK");
  w.Num(inode).Num(parent).Str(name);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done(r->inode)));
  return r;
}

// The maximum file length is checked here, where live requests enter, and not in the
// namespace calls replay shares: records an older master logged (a truncate to 256 PiB,
// say) must still replay.
Result<SetAttrResult> Metadata::SetAttr(const Cred& cred, InodeId inode, const SetAttrRequest& req,
                                        uint32_t now) {
  if (req.length && *req.length > kMaxFileLength) {
    return Status(Code::kTooBig, "past the maximum file length");
  }
  auto r = state_->ns->SetAttr(cred, inode, req, now);
  if (!r.ok()) return r;
  BodyWriter w(now, "SETATTR");
  w.Num(inode);
  PutSetAttr(w, req);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done()));
  return r;
}

Status Metadata::Unlink(const Cred& cred, InodeId parent, std::string_view name, uint32_t now) {
  ELK_RETURN_IF_ERROR(state_->ns->Unlink(cred, parent, name, now));
  BodyWriter w(now, "UNLINK");
  w.Num(parent).Str(name);
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Status Metadata::Rmdir(const Cred& cred, InodeId parent, std::string_view name, uint32_t now) {
  ELK_RETURN_IF_ERROR(state_->ns->Rmdir(cred, parent, name, now));
  BodyWriter w(now, "RMDIR");
  w.Num(parent).Str(name);
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Status Metadata::Rename(const Cred& cred, InodeId src_parent, std::string_view src_name,
                        InodeId dst_parent, std::string_view dst_name, RenameFlags flags,
                        uint32_t now) {
  ELK_RETURN_IF_ERROR(
      state_->ns->Rename(cred, src_parent, src_name, dst_parent, dst_name, flags, now));
  BodyWriter w(now, "RENAME");
  w.Num(src_parent).Str(src_name).Num(dst_parent).Str(dst_name).Num(static_cast<uint8_t>(flags));
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Status Metadata::SetXattr(const Cred& cred, InodeId inode, std::string_view name,
                          std::string_view value, XattrFlags flags, uint32_t now) {
  ELK_RETURN_IF_ERROR(state_->ns->SetXattr(cred, inode, name, value, flags, now));
  BodyWriter w(now, "SETXATTR");
  w.Num(inode).Str(name).Str(value).Num(static_cast<uint8_t>(flags));
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Status Metadata::RemoveXattr(const Cred& cred, InodeId inode, std::string_view name, uint32_t now) {
  ELK_RETURN_IF_ERROR(state_->ns->RemoveXattr(cred, inode, name, now));
  BodyWriter w(now, "REMOVEXATTR");
  w.Num(inode).Str(name);
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Result<RecursiveSetCounts> Metadata::SetGoal(const Cred& cred, InodeId inode, uint8_t goal,
                                             SetMode mode, bool recursive, uint32_t now) {
  auto r = state_->ns->SetGoal(cred, inode, goal, mode, recursive, now);
  if (!r.ok() || r->changed == 0) return r;  // nothing changed: nothing to log
  BodyWriter w(now, "SETGOAL");
  w.Num(inode).Num(goal).Num(static_cast<uint8_t>(mode)).Num(recursive ? 1 : 0);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done(r->changed)));
  return r;
}

Result<RecursiveSetCounts> Metadata::SetTrashTime(const Cred& cred, InodeId inode,
                                                  uint32_t trashtime, SetMode mode, bool recursive,
                                                  uint32_t now) {
  auto r = state_->ns->SetTrashTime(cred, inode, trashtime, mode, recursive, now);
  if (!r.ok() || r->changed == 0) return r;
  BodyWriter w(now, "SETTRASHTIME");
  w.Num(inode).Num(trashtime).Num(static_cast<uint8_t>(mode)).Num(recursive ? 1 : 0);
  PutCred(w, cred);
  ELK_RETURN_IF_ERROR(state_->Log(w.Done(r->changed)));
  return r;
}

Status Metadata::AppendChunks(const Cred& cred, InodeId dst, std::span<const InodeId> srcs,
                              uint32_t now) {
  std::vector<uint32_t> list(srcs.begin(), srcs.end());
  ELK_RETURN_IF_ERROR(DoAppend(*state_, cred, dst, list, now));
  BodyWriter w(now, "APPEND");
  w.Num(dst).Str(meta_internal::JoinList(list));
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Status Metadata::PunchChunks(const Cred& cred, InodeId inode, uint32_t first, uint32_t count,
                             uint32_t now) {
  if (uint64_t{first} + count > kMaxFileChunks) return Status(Code::kIndexTooBig);
  ELK_RETURN_IF_ERROR(state_->ns->PunchChunks(cred, inode, first, count, now));
  BodyWriter w(now, "PUNCH");
  w.Num(inode).Num(first).Num(count);
  PutCred(w, cred);
  return state_->Log(w.Done());
}

Status Metadata::Undelete(InodeId inode, uint32_t now) {
  ELK_RETURN_IF_ERROR(state_->ns->Undelete(inode, now));
  return state_->Log(BodyWriter(now, "UNDEL").Num(inode).Done());
}

Status Metadata::SetTrashPath(InodeId inode, std::string_view path, uint32_t now) {
  ELK_RETURN_IF_ERROR(state_->ns->SetTrashPath(inode, path));
  // The path as the trash now keeps it (normalized), so replay sets exactly that.
  auto kept = state_->ns->GetDetached(inode, /*trash=*/true);
  if (!kept.ok()) return kept.status();
  return state_->Log(BodyWriter(now, "SETPATH").Num(inode).Str(kept->path).Done());
}

Status Metadata::PurgeTrashItem(InodeId inode, uint32_t now) {
  auto r = DoPurge(*state_, inode, now);
  if (!r.ok()) return r.status();
  return state_->Log(BodyWriter(now, "PURGE").Num(inode).Done());
}

size_t Metadata::PurgeExpired(uint32_t now, size_t max_items) {
  std::vector<DetachedItem> items = state_->ns->ListTrash();
  std::sort(items.begin(), items.end(), [](const DetachedItem& a, const DetachedItem& b) {
    return std::pair(a.expires, a.inode) < std::pair(b.expires, b.inode);
  });
  size_t done = 0;
  for (const DetachedItem& item : items) {
    if (done == max_items || item.expires > now) break;
    if (!PurgeTrashItem(item.inode, now).ok()) break;
    ++done;
  }
  return done;
}

void Metadata::Open(InodeId inode, uint32_t session, uint8_t mode, uint32_t now) {
  mode &= kOpenedAny;
  if (!DoOpen(*state_, inode, session, mode).ok()) return;
  (void)state_->Log(BodyWriter(now, "OPEN").Num(inode).Num(session).Num(mode).Done(),
                    /*sync=*/false);
}

void Metadata::Close(InodeId inode, uint32_t session, uint32_t now) {
  if (!state_->ns->IsOpen(inode)) return;
  DoClose(*state_, inode, session, now);
  (void)state_->Log(BodyWriter(now, "CLOSE").Num(inode).Num(session).Done(), /*sync=*/false);
}

void Metadata::TrimOpens(uint32_t session, std::span<const SessionOpen> claimed, uint32_t now) {
  const std::vector<SessionOpen> changed = state_->ns->TrimmedOpens(session, claimed);
  // Only what changed is logged, at most kOpensPerRecord files a record: each record sets
  // its files' opens on its own, so the records of one account stay under a changelog
  // line's limit however many files the session holds.
  constexpr size_t kOpensPerRecord = 16384;
  for (size_t first = 0; first < changed.size(); first += kOpensPerRecord) {
    std::span<const SessionOpen> part(changed.data() + first,
                                      std::min(kOpensPerRecord, changed.size() - first));
    DoSetOpens(*state_, session, part, now);
    std::vector<uint32_t> flat;
    for (const SessionOpen& o : part)
      flat.insert(flat.end(), {o.inode, o.count, o.mode});
    (void)state_->Log(
        BodyWriter(now, "OPENS").Num(session).Str(meta_internal::JoinList(flat)).Done(),
        /*sync=*/false);
  }
}

}  // namespace elk::master
