// MasterSession's requests that add, remove or move a name. None may be repeated blindly:
// once sent, a lost connection (the master killed, a fail-over) leaves it unknown whether the
// master applied it - and a leader that applied it may have passed it to the follower that
// leads now. So such a request is sent once more, to whichever master serves then, and an
// answer saying the work is already done is taken for its success: a removal that finds no
// name, a creation that finds the name (of the asked type; a hard link: of the asked inode),
// a rename that finds the name gone from its source and present at its target. The answer
// was lost, so the name may in rare cases have been made or removed by another client in
// between; an error is what an application would otherwise get (docs/failover.md).
#include "common/log/log.h"
#include "mount/client/master_session.h"

namespace elk::client {

namespace proto = protocol;

namespace {

bool AnswerLost(const Status& s) {
  return s.code() == Code::kDisconnected;
}

void NoteSettled(std::string_view what, std::string_view name, const Status& again) {
  log::Info("{} '{}': the answer was lost with the master connection; sent again: {}", what, name,
            again.ok() ? std::string("done now") : again.ToString());
}

}  // namespace

// A creation sent again that meets its own name: the node there, if it is of the asked type.
Result<proto::Attr> MasterSession::SettleCreation(Result<proto::Attr> again, uint32_t parent,
                                                  std::string_view name, proto::NodeType type,
                                                  const Creds& c) {
  NoteSettled(type == proto::NodeType::kDirectory ? "mkdir"
              : type == proto::NodeType::kSymlink ? "symlink"
              : type == proto::NodeType::kFile    ? "create"
                                                  : "mknod",
              name, again.status());
  if (again.ok() || again.code() != Code::kExist) return again;
  auto there = Lookup(parent, name, c);
  if (!there.ok() || there->type != type) return again;
  return there;
}

Result<proto::Attr> MasterSession::Mknod(uint32_t parent, std::string_view name,
                                         proto::NodeType type, uint16_t mode, uint16_t umask,
                                         uint32_t rdev, const Creds& c) {
  auto send = [&] {
    return Call<proto::MatoclMknod>(
        proto::CltomaMknod{0, parent, std::string(name), type, mode, umask, rdev, c}, false);
  };
  auto r = send();
  if (r.ok()) return r->attr;
  if (!AnswerLost(r.status())) return r.status();
  auto again = send();
  return SettleCreation(again.ok() ? Result<Attr>(again->attr) : Result<Attr>(again.status()),
                        parent, name, type, c);
}

Result<proto::Attr> MasterSession::CreateOnce(uint32_t parent, std::string_view name, uint16_t mode,
                                              uint16_t umask, const Creds& c, bool open) {
  proto::CltomaCreate req{
      0, parent, std::string(name), mode, umask, c, open ? uint8_t{1} : uint8_t{0}};
  Hooks hooks;
  if (open) {
    hooks.on_reply = [this](const net::Frame& f) {
      if (f.type != proto::MATOCL_CREATE) return;
      if (auto made = proto::Decode<proto::MatoclCreate>(f.payload); made.ok())
        CountOpen(made->attr.inode, proto::kOpenRead | proto::kOpenWrite);
    };
    hooks.drop_on_timeout = true;
  }
  auto r = Decoded<proto::MatoclCreate>(Exchange(
      proto::CLTOMA_CREATE,
      [&](uint32_t msgid) {
        req.msgid = msgid;
        return proto::EncodePayload(req);
      },
      Retry::kUnsent, hooks));
  if (!r.ok()) return r.status();
  return r->attr;
}

Result<proto::Attr> MasterSession::Create(uint32_t parent, std::string_view name, uint16_t mode,
                                          uint16_t umask, const Creds& c, bool open) {
  auto r = CreateOnce(parent, name, mode, umask, c, open);
  if (r.ok() || !AnswerLost(r.status())) return r;
  auto made = SettleCreation(CreateOnce(parent, name, mode, umask, c, open), parent, name,
                             proto::NodeType::kFile, c);
  if (!made.ok() || !open || OpenFiles().contains(made->inode)) return made;
  // Made by the lost request: this descriptor's open is counted now (the reconnect's account
  // already told the master which opens this client holds).
  return Open(made->inode, proto::kOpenRead | proto::kOpenWrite, c);
}

Result<proto::Attr> MasterSession::Mkdir(uint32_t parent, std::string_view name, uint16_t mode,
                                         uint16_t umask, const Creds& c) {
  auto send = [&] {
    return Call<proto::MatoclMkdir>(
        proto::CltomaMkdir{0, parent, std::string(name), mode, umask, c}, false);
  };
  auto r = send();
  if (r.ok()) return r->attr;
  if (!AnswerLost(r.status())) return r.status();
  auto again = send();
  return SettleCreation(again.ok() ? Result<Attr>(again->attr) : Result<Attr>(again.status()),
                        parent, name, proto::NodeType::kDirectory, c);
}

Result<proto::Attr> MasterSession::Symlink(uint32_t parent, std::string_view name,
                                           std::string_view target, const Creds& c) {
  auto send = [&] {
    return Call<proto::MatoclSymlink>(
        proto::CltomaSymlink{0, parent, std::string(name), std::string(target), c}, false);
  };
  auto r = send();
  if (r.ok()) return r->attr;
  if (!AnswerLost(r.status())) return r.status();
  auto again = send();
  return SettleCreation(again.ok() ? Result<Attr>(again->attr) : Result<Attr>(again.status()),
                        parent, name, proto::NodeType::kSymlink, c);
}

Result<proto::Attr> MasterSession::Link(uint32_t inode, uint32_t dst_parent, std::string_view name,
                                        const Creds& c) {
  auto send = [&] {
    return Call<proto::MatoclLink>(proto::CltomaLink{0, inode, dst_parent, std::string(name), c},
                                   false);
  };
  auto r = send();
  if (r.ok()) return r->attr;
  if (!AnswerLost(r.status())) return r.status();
  auto again = send();
  NoteSettled("link", name, again.status());
  if (again.ok()) return again->attr;
  if (again.code() != Code::kExist) return again.status();
  auto there = Lookup(dst_parent, name, c);
  if (there.ok() && there->inode == inode) return there;
  return again.status();
}

// A removal sent again that finds no name: the lost one removed it.
Status MasterSession::SettleRemoval(Status first, const std::function<Status()>& send,
                                    std::string_view what, std::string_view name) {
  if (!AnswerLost(first)) return first;
  Status again = send();
  NoteSettled(what, name, again);
  return again.code() == Code::kNoEnt ? Status::Ok() : again;
}

Status MasterSession::Unlink(uint32_t parent, std::string_view name, const Creds& c) {
  auto send = [&] { return Do(proto::CltomaUnlink{0, parent, std::string(name), c}, false); };
  return SettleRemoval(send(), send, "unlink", name);
}

Status MasterSession::Rmdir(uint32_t parent, std::string_view name, const Creds& c) {
  auto send = [&] { return Do(proto::CltomaRmdir{0, parent, std::string(name), c}, false); };
  return SettleRemoval(send(), send, "rmdir", name);
}

Status MasterSession::Rename(uint32_t src_parent, std::string_view src_name, uint32_t dst_parent,
                             std::string_view dst_name, const Creds& c, proto::RenameMode mode) {
  auto send = [&] {
    return Do(proto::CltomaRename{0, src_parent, std::string(src_name), dst_parent,
                                  std::string(dst_name), c, mode},
              false);
  };
  Status first = send();
  // An exchange applied twice is undone: it is never sent again.
  if (!AnswerLost(first) || mode == proto::RenameMode::kExchange) return first;
  Status again = send();
  NoteSettled("rename", src_name, again);
  if (again.code() != Code::kNoEnt) return again;
  const bool source_gone = Lookup(src_parent, src_name, c).code() == Code::kNoEnt;
  return source_gone && Lookup(dst_parent, dst_name, c).ok() ? Status::Ok() : again;
}

}  // namespace elk::client
