// A canonical text form of the whole namespace: two namespaces hold the same state
// exactly when their dumps are equal. One line per fact, in inode order; names and
// values are escaped so that any byte string fits on one line.

#include <fmt/format.h>

#include <algorithm>

#include "master/namespace/namespace.h"

namespace elk::master {

namespace {

// Bytes outside printable ASCII, space and '%' become %XX.
std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '%') {
      out += fmt::format("%{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string Namespace::Dump() const {
  std::string out;
  auto it = std::back_inserter(out);
  nodes_.ForEach([&](InodeId id, const Node& n) {
    fmt::format_to(it,
                   "N {} t={} m={:o} u={} g={} a={} mt={} c={} nl={} len={} goal={} tt={} "
                   "p={} f={}\n",
                   id, static_cast<int>(n.type), n.mode, n.uid, n.gid, FileTimeText(n.atime),
                   FileTimeText(n.mtime), n.ctime, n.nlink, n.length, n.goal, n.trashtime, n.parent,
                   n.flags);
    if (!n.chunks.empty()) {
      fmt::format_to(it, "C {} n={}", id, n.chunks.size());
      n.chunks.ForEach([&](uint32_t i, ChunkId c) { fmt::format_to(it, " {}:{}", i, c); });
      fmt::format_to(it, "\n");
    }
    if (auto r = rdevs_.find(id); r != rdevs_.end()) fmt::format_to(it, "R {} {}\n", id, r->second);
    if (auto s = symlinks_.find(id); s != symlinks_.end()) {
      fmt::format_to(it, "S {} {}\n", id, Escape(s->second));
    }
    if (n.flags & kFlagHasXattr) {
      for (const auto& [name, value] : xattrs_.at(id)) {
        fmt::format_to(it, "X {} {} {}\n", id, Escape(name), Escape(value));
      }
    }
    if (n.is_dir()) {
      const Directory& dir = DirOf(id);
      fmt::format_to(it, "D {} name={} next={}\n", id, Escape(dir.name()), dir.next_seq());
      dir.ForEachFrom(0, [&](std::string_view name, InodeId child, uint64_t seq) {
        fmt::format_to(it, "E {} {} {} {}\n", id, seq, Escape(name), child);
        return true;
      });
    }
  });
  for (const auto& [inode, info] : trash_) {
    fmt::format_to(it, "T {} {} {}\n", inode, info.expires, Escape(info.path));
  }
  for (const auto& [inode, path] : reserved_)
    fmt::format_to(it, "V {} {}\n", inode, Escape(path));
  for (const auto& [key, open] : opens_) {
    fmt::format_to(it, "O {} {} {} {}\n", key.first, key.second, open.count, open.mode);
  }
  return out;
}

}  // namespace elk::master
