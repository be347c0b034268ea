// The meta file system's requests (sessions that mounted "."): list trash and reserved
// files, one item by inode, set an item's restore path, undelete, purge. Other sessions get
// kPerm.
#include "master/server/client_link.h"

namespace elk::master {

namespace proto = protocol;

void ClientLink::ListDetached(const proto::CltomaListDetached& m) {
  if (!meta_) return ReplyStatus(m.msgid, Status(Code::kPerm, "not a meta session"));
  const Namespace& ns = ctx_.meta.ns();
  auto items = m.kind == proto::DetachedKind::kTrash ? ns.ListTrash() : ns.ListReserved();
  proto::MatoclListDetached reply{m.msgid, {}};
  reply.items.reserve(items.size());
  // Stays under MATOCL_LIST_DETACHED's limit; a longer list is cut (TODO: paging).
  size_t bytes = 0;
  for (auto& item : items) {
    bytes += 12 + item.path.size();
    if (bytes > proto::MaxPayload(proto::MATOCL_LIST_DETACHED) - 1024) break;
    reply.items.push_back({item.inode, std::move(item.path), item.expires});
  }
  Reply(reply);
}

void ClientLink::Undelete(const proto::CltomaUndelete& m) {
  Status s = meta_ ? Writable() : Status(Code::kPerm, "not a meta session");
  if (s.ok()) s = ctx_.meta.Undelete(m.inode, Now());
  ReplyStatus(m.msgid, s);
}

void ClientLink::Purge(const proto::CltomaPurge& m) {
  Status s = meta_ ? Writable() : Status(Code::kPerm, "not a meta session");
  if (s.ok()) s = ctx_.meta.PurgeTrashItem(m.inode, Now());
  ReplyStatus(m.msgid, s);
}

void ClientLink::DetachedAttr(const proto::CltomaDetachedAttr& m) {
  if (!meta_) return ReplyStatus(m.msgid, Status(Code::kPerm, "not a meta session"));
  const Namespace& ns = ctx_.meta.ns();
  auto item = ns.GetDetached(m.inode, m.kind == proto::DetachedKind::kTrash);
  if (!item.ok()) return ReplyStatus(m.msgid, item.status());
  auto attr = ns.GetAttr(m.inode);
  if (!attr.ok()) return ReplyStatus(m.msgid, attr.status());
  Reply(proto::MatoclDetachedAttr{m.msgid, ToWire(*attr), std::move(item->path), item->expires});
}

void ClientLink::SetTrashPath(const proto::CltomaSetTrashPath& m) {
  Status s = meta_ ? Writable() : Status(Code::kPerm, "not a meta session");
  if (s.ok()) s = ctx_.meta.SetTrashPath(m.inode, m.path, Now());
  ReplyStatus(m.msgid, s);
}

}  // namespace elk::master
