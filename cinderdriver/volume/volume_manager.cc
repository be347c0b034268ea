#include "cinderdriver/volume/volume_manager.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "cinderdriver/volume/volume_paths.h"

namespace elk::volume {

using nlohmann::json;
namespace proto = protocol;

namespace {

std::string VolumeFile(const std::string& name) {
  return std::string(kVolumePrefix) + name;
}
std::string SnapshotFile(const std::string& snap) {
  return std::string(kSnapshotPrefix) + snap;
}

Status Named(const Status& s, const std::string& what) {
  return Status(s.code(), what + ": " + s.ToString());
}

}  // namespace

Result<uint64_t> ParseVolumeSize(const std::string& text) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p == text.data()) return Status(Code::kInval, "size '" + text + "'");
  std::string unit(p, text.data() + text.size());
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  if (unit.size() == 2 && unit[1] == 'i') unit.pop_back();
  int shift = 0;
  if (unit == "K" || unit == "k")
    shift = 10;
  else if (unit == "M" || unit == "m")
    shift = 20;
  else if (unit == "G" || unit == "g")
    shift = 30;
  else if (unit == "T" || unit == "t")
    shift = 40;
  else if (!unit.empty())
    return Status(Code::kInval, "size '" + text + "': unknown unit");
  if (shift > 0 && n > (UINT64_MAX >> shift)) return Status(Code::kInval, "size too large");
  n <<= shift;
  if (n == 0 || n % 512 != 0)
    return Status(Code::kInval, "size '" + text + "': must be a positive multiple of 512 bytes");
  return n;
}

Result<std::unique_ptr<VolumeManager>> VolumeManager::Open(const ManagerOptions& options) {
  auto m = std::make_unique<VolumeManager>(options);
  ELK_RETURN_IF_ERROR(m->Connect());
  return m;
}

Status VolumeManager::Connect() {
  client::SessionOptions so;
  so.host = options_.master_host;
  so.port = options_.master_port;
  so.password = options_.password;
  so.software_version = "mfsvolume 0.1.0";
  so.reconnect_wait = std::chrono::milliseconds(10000);
  auto m = client::MasterSession::Open(so);
  if (!m.ok()) return Named(m.status(), "master " + so.host + ":" + std::to_string(so.port));
  master_ = std::move(*m);
  const bool existed = LookupPath(*master_, options_.volumes_path).ok();
  auto folder = MakePath(*master_, options_.volumes_path);
  if (!folder.ok()) return Named(folder.status(), options_.volumes_path);
  folder_ = *folder;
  if (!existed) {
    // Deleted volumes give their space back at once (no trash), as Cinder expects.
    ELK_RETURN_IF_ERROR(master_
                            ->Call<proto::MatoclSettrashtime>(
                                proto::CltomaSettrashtime{0, folder_.inode, 0, proto::SetMode::kSet,
                                                          false, RootCreds()},
                                false)
                            .status());
  }
  if (options_.goal) {
    ELK_RETURN_IF_ERROR(master_
                            ->Call<proto::MatoclSetgoal>(
                                proto::CltomaSetgoal{0, folder_.inode, *options_.goal,
                                                     proto::SetMode::kSet, false, RootCreds()},
                                false)
                            .status());
  }
  return Status::Ok();
}

json VolumeManager::Describe(const std::string& name, const proto::Attr& a) {
  return json{{"name", name}, {"size", a.length}, {"goal", a.goal}, {"inode", a.inode}};
}

Result<proto::Attr> VolumeManager::FindVolume(const std::string& name) {
  ELK_RETURN_IF_ERROR(CheckName("volume", name));
  auto a = master_->Lookup(folder_.inode, VolumeFile(name), RootCreds());
  if (a.code() == Code::kNoEnt) return Status(Code::kNoEnt, "no volume " + name);
  return a;
}

Status VolumeManager::SetLength(uint32_t inode, uint64_t size) {
  proto::CltomaSetattr s;
  s.inode = inode;
  s.creds = RootCreds();
  s.length = size;
  return master_->Setattr(s).status();
}

Result<json> VolumeManager::Create(const std::string& name, uint64_t size) {
  ELK_RETURN_IF_ERROR(CheckName("volume", name));
  auto a = master_->Create(folder_.inode, VolumeFile(name), 0600, 0, RootCreds());
  if (a.code() == Code::kExist) return Status(Code::kExist, "volume " + name + " exists");
  if (!a.ok()) return a.status();
  Status s = SetLength(a->inode, size);
  if (!s.ok()) {
    (void)master_->Unlink(folder_.inode, VolumeFile(name), RootCreds());
    return Named(s, "sizing volume " + name);
  }
  a->length = size;
  return Describe(name, *a);
}

Result<proto::Attr> VolumeManager::SnapshotFolder(const std::string& volume, bool create) {
  const std::string path =
      options_.volumes_path + "/" + std::string(kSnapshotsFolder) + "/" + VolumeFile(volume);
  return create ? MakePath(*master_, path) : LookupPath(*master_, path);
}

Result<std::vector<std::string>> VolumeManager::SnapshotsOf(const std::string& volume) {
  std::vector<std::string> out;
  auto dir = SnapshotFolder(volume, false);
  if (dir.code() == Code::kNoEnt) return out;
  if (!dir.ok()) return dir.status();
  auto entries = master_->Readdir(dir->inode, RootCreds());
  if (!entries.ok()) return entries.status();
  for (const auto& e : *entries)
    if (e.name.rfind(kSnapshotPrefix, 0) == 0) out.push_back(e.name.substr(kSnapshotPrefix.size()));
  return out;
}

Result<json> VolumeManager::Delete(const std::string& name, bool with_snapshots) {
  auto vol = FindVolume(name);
  if (!vol.ok()) return vol.status();
  auto snaps = SnapshotsOf(name);
  if (!snaps.ok()) return snaps.status();
  if (!snaps->empty() && !with_snapshots) {
    return Status(Code::kBusy, "volume " + name + " has " + std::to_string(snaps->size()) +
                                   " snapshot(s); delete them first (or --with-snapshots)");
  }
  auto exported = AskTarget(json{{"op", "list"}});
  if (exported.ok()) {
    for (const auto& e : (*exported)["exports"])
      if (e.value("volume", "") == name)
        return Status(Code::kBusy, "volume " + name + " is exported; unexport it first");
  }
  for (const auto& s : *snaps)
    ELK_RETURN_IF_ERROR(DeleteSnapshot(name, s).status());
  ELK_RETURN_IF_ERROR(master_->Unlink(folder_.inode, VolumeFile(name), RootCreds()));
  return json{{"deleted", name}, {"snapshots_deleted", snaps->size()}};
}

Result<json> VolumeManager::Snapshot(const std::string& volume, const std::string& snap) {
  ELK_RETURN_IF_ERROR(CheckName("snapshot", snap));
  auto vol = FindVolume(volume);
  if (!vol.ok()) return vol.status();
  auto dir = SnapshotFolder(volume, true);
  if (!dir.ok()) return dir.status();
  if (master_->Lookup(dir->inode, SnapshotFile(snap), RootCreds()).ok())
    return Status(Code::kExist, "snapshot " + snap + " of volume " + volume + " exists");
  ELK_RETURN_IF_ERROR(master_->Do(
      proto::CltomaSnapshot{0, vol->inode, dir->inode, SnapshotFile(snap), false, RootCreds()},
      false));
  return json{{"name", snap}, {"volume", volume}, {"size", vol->length}};
}

Result<json> VolumeManager::DeleteSnapshot(const std::string& volume, const std::string& snap) {
  ELK_RETURN_IF_ERROR(CheckName("snapshot", snap));
  auto dir = SnapshotFolder(volume, false);
  if (!dir.ok()) return Status(Code::kNoEnt, "no snapshot " + snap + " of volume " + volume);
  Status s = master_->Unlink(dir->inode, SnapshotFile(snap), RootCreds());
  if (s.code() == Code::kNoEnt)
    return Status(Code::kNoEnt, "no snapshot " + snap + " of volume " + volume);
  ELK_RETURN_IF_ERROR(s);
  auto left = SnapshotsOf(volume);
  if (left.ok() && left->empty()) {
    auto parent = LookupPath(*master_, options_.volumes_path + "/" + std::string(kSnapshotsFolder));
    if (parent.ok()) (void)master_->Rmdir(parent->inode, VolumeFile(volume), RootCreds());
  }
  return json{{"deleted", snap}, {"volume", volume}};
}

Result<json> VolumeManager::CopyInto(const proto::Attr& source, const std::string& name,
                                     uint64_t size) {
  ELK_RETURN_IF_ERROR(CheckName("volume", name));
  if (size != 0 && size < source.length)
    return Status(Code::kInval, "a new volume cannot be smaller than its source");
  if (master_->Lookup(folder_.inode, VolumeFile(name), RootCreds()).ok())
    return Status(Code::kExist, "volume " + name + " exists");
  ELK_RETURN_IF_ERROR(master_->Do(
      proto::CltomaSnapshot{0, source.inode, folder_.inode, VolumeFile(name), false, RootCreds()},
      false));
  auto a = master_->Lookup(folder_.inode, VolumeFile(name), RootCreds());
  if (!a.ok()) return a.status();
  if (size > a->length) {
    Status s = SetLength(a->inode, size);
    if (!s.ok()) {
      (void)master_->Unlink(folder_.inode, VolumeFile(name), RootCreds());
      return Named(s, "sizing volume " + name);
    }
    a->length = size;
  }
  return Describe(name, *a);
}

Result<json> VolumeManager::CreateFromSnapshot(const std::string& name, const std::string& volume,
                                               const std::string& snap, uint64_t size) {
  ELK_RETURN_IF_ERROR(CheckName("snapshot", snap));
  auto dir = SnapshotFolder(volume, false);
  if (!dir.ok()) return Status(Code::kNoEnt, "no snapshot " + snap + " of volume " + volume);
  auto s = master_->Lookup(dir->inode, SnapshotFile(snap), RootCreds());
  if (!s.ok()) return Status(Code::kNoEnt, "no snapshot " + snap + " of volume " + volume);
  return CopyInto(*s, name, size);
}

Result<json> VolumeManager::Clone(const std::string& name, const std::string& source,
                                  uint64_t size) {
  auto src = FindVolume(source);
  if (!src.ok()) return src.status();
  return CopyInto(*src, name, size);
}

Result<json> VolumeManager::Extend(const std::string& name, uint64_t size) {
  auto vol = FindVolume(name);
  if (!vol.ok()) return vol.status();
  if (size < vol->length)
    return Status(Code::kInval, "volume " + name + " is " + std::to_string(vol->length) +
                                    " bytes: volumes only grow");
  ELK_RETURN_IF_ERROR(SetLength(vol->inode, size));
  // An exported volume's target announces the new capacity to its initiators.
  auto r = AskTarget(json{{"op", "refresh"}, {"volume", name}});
  vol->length = size;
  json out = Describe(name, *vol);
  out["target_notified"] = r.ok();
  return out;
}

Result<json> VolumeManager::List() {
  auto entries = master_->Readdir(folder_.inode, RootCreds());
  if (!entries.ok()) return entries.status();
  json exported = json::array();
  if (auto t = AskTarget(json{{"op", "list"}}); t.ok()) exported = (*t)["exports"];
  json out = json::array();
  for (const auto& e : *entries) {
    if (e.name.rfind(kVolumePrefix, 0) != 0) continue;
    const std::string name = e.name.substr(kVolumePrefix.size());
    auto a = master_->Lookup(folder_.inode, e.name, RootCreds());
    if (!a.ok()) continue;  // deleted meanwhile
    json v = Describe(name, *a);
    auto snaps = SnapshotsOf(name);
    v["snapshots"] = snaps.ok() ? *snaps : std::vector<std::string>{};
    v["exported"] = false;
    for (const auto& x : exported)
      if (x.value("volume", "") == name) v["exported"] = true;
    out.push_back(v);
  }
  return out;
}

Result<json> VolumeManager::Stats() {
  auto fs = master_->Statfs();
  if (!fs.ok()) return fs.status();
  auto list = List();
  if (!list.ok()) return list.status();
  uint64_t provisioned = 0;
  for (const auto& v : *list)
    provisioned += v.value("size", uint64_t{0});
  return json{{"total_capacity_bytes", fs->total_space},
              {"free_capacity_bytes", fs->avail_space},
              {"provisioned_capacity_bytes", provisioned},
              {"volume_count", list->size()},
              {"goal", folder_.goal}};
}

Result<json> VolumeManager::AskTarget(const json& request) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status(Code::kIo, std::strerror(errno));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, options_.iscsid_socket.c_str(), sizeof(sa.sun_path) - 1);
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status(Code::kCantConnect, "mfsiscsid at " + options_.iscsid_socket + ": " + why);
  }
  const std::string line = request.dump() + "\n";
  (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;)
    reply.append(buf, static_cast<size_t>(n));
  ::close(fd);
  json r = json::parse(reply, nullptr, false);
  if (r.is_discarded()) return Status(Code::kProtocol, "mfsiscsid answered no JSON");
  if (!r.value("ok", false)) return Status(Code::kInval, r.value("error", std::string("refused")));
  return r;
}

Result<json> VolumeManager::Export(const std::string& name, const std::string& chap_user,
                                   const std::string& chap_secret) {
  auto vol = FindVolume(name);
  if (!vol.ok()) return vol.status();
  json req{
      {"op", "export"}, {"volume", name}, {"path", options_.volumes_path + "/" + VolumeFile(name)}};
  if (!chap_user.empty()) {
    req["chap_user"] = chap_user;
    req["chap_secret"] = chap_secret;
  }
  auto r = AskTarget(req);
  if (!r.ok()) return r.status();
  json data = *r;
  data.erase("ok");
  if (!data.contains("auth_method")) data["auth_method"] = "None";
  return json{{"driver_volume_type", "iscsi"}, {"data", data}};
}

Result<json> VolumeManager::Unexport(const std::string& name) {
  ELK_RETURN_IF_ERROR(CheckName("volume", name));
  auto r = AskTarget(json{{"op", "unexport"}, {"volume", name}});
  if (!r.ok()) return r.status();
  return json{{"unexported", name}};
}

}  // namespace elk::volume
