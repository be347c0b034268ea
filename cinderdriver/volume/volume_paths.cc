#include "cinderdriver/volume/volume_paths.h"

#include <algorithm>
#include <sstream>

namespace elk::volume {

namespace {

std::vector<std::string> Parts(std::string_view path) {
  std::vector<std::string> out;
  std::stringstream in{std::string(path)};
  std::string p;
  while (std::getline(in, p, '/'))
    if (!p.empty() && p != ".") out.push_back(p);
  return out;
}

}  // namespace

Status CheckName(std::string_view what, std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 200 && name[0] != '.' &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (ok) return Status::Ok();
  return Status(Code::kInval, std::string(what) + " name '" + std::string(name) +
                                  "': use letters, digits, '.', '_' and '-' (at most 200)");
}

protocol::Creds RootCreds() {
  return protocol::Creds{0, 0, {0}};
}

Result<protocol::Attr> LookupPath(client::MasterSession& m, std::string_view path) {
  auto attr = m.Getattr(m.root_inode(), RootCreds());
  if (!attr.ok()) return attr.status();
  for (const std::string& part : Parts(path)) {
    attr = m.Lookup(attr->inode, part, RootCreds());
    if (!attr.ok()) return attr.status();
  }
  return attr;
}

Result<protocol::Attr> MakePath(client::MasterSession& m, std::string_view path) {
  auto attr = m.Getattr(m.root_inode(), RootCreds());
  if (!attr.ok()) return attr.status();
  for (const std::string& part : Parts(path)) {
    auto next = m.Lookup(attr->inode, part, RootCreds());
    if (next.code() == Code::kNoEnt) next = m.Mkdir(attr->inode, part, 0755, 0, RootCreds());
    if (next.code() == Code::kExist) next = m.Lookup(attr->inode, part, RootCreds());
    if (!next.ok()) return next.status();
    if (next->type != protocol::NodeType::kDirectory)
      return Status(Code::kNotDir, "'" + part + "' in " + std::string(path) + " is not a folder");
    attr = next;
  }
  return attr;
}

}  // namespace elk::volume
