// mfsfilepaths: every path of a node, as MooseFS's master gives them - relative to the
// session's folder without a leading "/" ("dir/file"), "/" for the folder itself, and
// "./TRASH (path)" or "./SUSTAINED (path)" for a file in trash or removed while open.
#include <optional>
#include <string>
#include <string_view>

#include "master/server/client_link.h"

namespace elk::master {

namespace proto = protocol;

namespace {

// Directory entries read for one request: a file's folders are read for its names, and a
// folder of millions of entries must not hold the loop for long.
constexpr size_t kPathsBudget = 4'000'000;

// "/a/b/f" as seen from a session on "/a" ("b/f"); nothing when it lies outside.
std::optional<std::string> FromFolder(const std::string& path, const std::string& folder) {
  if (path == folder) return "/";
  if (folder == "/") return path.substr(1);
  if (path.size() <= folder.size() + 1 || path.compare(0, folder.size(), folder) != 0 ||
      path[folder.size()] != '/') {
    return std::nullopt;
  }
  return path.substr(folder.size() + 1);
}

}  // namespace

void ClientLink::Paths(const proto::CltomaPaths& m) {
  const Namespace& ns = ctx_.meta.ns();
  if (ns.Detached(m.inode)) {
    const bool trash = ns.GetDetached(m.inode, /*trash=*/true).ok();
    auto item = ns.GetDetached(m.inode, trash);
    if (!item.ok()) return ReplyStatus(m.msgid, item.status());
    // Kept with a leading "/" here, printed without it as MooseFS keeps them.
    std::string_view path = item->path;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    const std::string where = trash ? "./TRASH (" : "./SUSTAINED (";
    return Reply(proto::MatoclPaths{m.msgid, {where + std::string(path) + ")"}});
  }
  size_t budget = kPathsBudget;
  std::vector<std::string> all = ns.PathsOf(m.inode, budget);
  if (Status exists = ns.GetAttr(m.inode).status(); !exists.ok()) {
    return ReplyStatus(m.msgid, exists);
  }
  size_t root_budget = kPathsBudget;
  const std::vector<std::string> root = ns.PathsOf(root_, root_budget);
  proto::MatoclPaths reply{m.msgid, {}};
  for (const std::string& p : all) {
    if (auto mine = FromFolder(p, root.empty() ? "/" : root.front())) reply.paths.push_back(*mine);
  }
  if (reply.paths.empty() && !all.empty()) return ReplyStatus(m.msgid, Status(Code::kNoEnt));
  Reply(reply);
}

}  // namespace elk::master
