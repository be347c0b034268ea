#include "cinderdriver/iscsid/iscsid.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>

#include "cinderdriver/volume/volume_paths.h"
#include "common/atomic_file.h"
#include "common/log/log.h"

namespace elk::iscsid {

using nlohmann::json;

namespace {

json Error(const std::string& message) {
  return json{{"ok", false}, {"error", message}};
}

uint64_t NameHash(const std::string& s) {
  return std::hash<std::string>{}(s);
}

}  // namespace

Result<std::unique_ptr<Iscsid>> Iscsid::Create(const IscsidConfig& config) {
  auto d = std::make_unique<Iscsid>(config);
  ELK_RETURN_IF_ERROR(d->Start());
  return d;
}

Status Iscsid::Start() {
  client::SessionOptions so;
  so.host = config_.master_host;
  so.port = config_.master_port;
  if (!config_.master_password.empty()) so.password = config_.master_password;
  so.software_version = "mfsiscsid 0.1.0";
  auto m = client::MasterSession::Open(so);
  if (!m.ok())
    return Status(m.code(), "master " + config_.master_host + ": " + m.status().ToString());
  master_ = std::move(*m);
  io_ = std::make_unique<client::ChunkIo>(*master_);
  pool_ = std::make_unique<iscsi::TaskPool>(config_.worker_threads);
  if (config_.read_cache_bytes > 0)
    cache_ = std::make_unique<volume::BlockCache>(config_.read_cache_bytes);
  iscsi::PortalLimits guards;
  guards.max_connections = config_.max_connections;
  guards.max_per_ip = config_.max_connections_per_ip;
  guards.login_timeout = std::chrono::seconds(config_.login_timeout);
  guards.connection_buffer_bytes = config_.connection_buffer_bytes;
  guards.total_buffer_bytes = config_.buffer_bytes;
  auto p =
      iscsi::Portal::Open(config_.listen_host, config_.listen_port, targets_, *pool_, {}, guards);
  if (!p.ok()) return p.status();
  portal_ = std::move(*p);
  portal_address_ = config_.portal_address.empty()
                        ? (config_.listen_host == "*" || config_.listen_host == "0.0.0.0"
                               ? "127.0.0.1:" + std::to_string(portal_->port())
                               : portal_->address())
                        : config_.portal_address;
  // The admin socket: local, root only.
  admin_path_ = config_.data_path + "/mfsiscsid.sock";
  ::unlink(admin_path_.c_str());
  admin_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (admin_path_.size() >= sizeof(sa.sun_path))
    return Status(Code::kBadConfig, "DATA_PATH too long for the admin socket");
  std::strncpy(sa.sun_path, admin_path_.c_str(), sizeof(sa.sun_path) - 1);
  const mode_t old = ::umask(0177);
  const int b = ::bind(admin_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  ::umask(old);
  if (b != 0 || ::listen(admin_fd_, 16) != 0)
    return Status(Code::kIo, "admin socket " + admin_path_ + ": " + std::strerror(errno));
  ELK_RETURN_IF_ERROR(LoadExports());
  log::Info("mfsiscsid: portal {} (listening on {}:{}), {} exports", portal_address_,
            config_.listen_host, portal_->port(), served_.size());
  return Status::Ok();
}

Iscsid::~Iscsid() {
  Stop();
  if (admin_.joinable()) admin_.join();
  if (grants_.joinable()) grants_.join();
  if (portal_) portal_->Stop();
  {
    std::lock_guard lock(mu_);
    for (auto& [name, s] : served_) {
      (void)s.device->Flush();
      ReleaseVolume(s.device->inode());
    }
  }
  if (admin_fd_ >= 0) {
    ::close(admin_fd_);
    ::unlink(admin_path_.c_str());
  }
}

Status Iscsid::Run() {
  admin_ = std::thread([this] { AdminLoop(); });
  grants_ = std::thread([this] { GrantLoop(); });
  while (!stopping_)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return Status::Ok();
}

void Iscsid::Stop() {
  stopping_ = true;
}

std::string Iscsid::Iqn(const std::string& volume) const {
  return config_.iqn_prefix + ":volume-" + volume;
}

json Iscsid::ConnectionInfo(const ExportEntry& e) const {
  json info{{"target_discovered", false},
            {"target_iqn", Iqn(e.volume)},
            {"target_portal", portal_address_},
            {"target_lun", 0},
            {"volume_id", e.volume},
            {"discard", config_.thin_provisioning}};
  if (e.chap) {
    info["auth_method"] = "CHAP";
    info["auth_username"] = e.chap->user;
    info["auth_password"] = e.chap->secret;
  }
  return info;
}

Status Iscsid::OpenVolume(uint32_t inode, const std::string& path) {
  uint8_t flags = protocol::kOpenRead;
  if (!master_->grant().readonly) flags |= protocol::kOpenWrite;
  auto opened = master_->Open(inode, flags, volume::RootCreds());
  if (!opened.ok()) return Status(opened.code(), path + ": open: " + opened.status().ToString());
  return Status::Ok();
}

void Iscsid::ReleaseVolume(uint32_t inode) {
  // A release lost in a reconnect reaches the master through the session's account.
  Status s = master_->Release(inode);
  if (!s.ok()) log::Warning("mfsiscsid: release of inode {}: {}", inode, s.ToString());
}

Result<json> Iscsid::Export(const ExportEntry& e, bool persist) {
  ELK_RETURN_IF_ERROR(volume::CheckName("volume", e.volume));
  const std::string path = e.path.empty() ? config_.volumes_path + "/volume-" + e.volume : e.path;
  if (path[0] != '/') return Status(Code::kInval, "volume path must be absolute: " + path);
  auto attr = volume::LookupPath(*master_, path);
  if (!attr.ok()) return Status(attr.code(), path + ": " + attr.status().ToString());
  if (attr->type != protocol::NodeType::kFile)
    return Status(Code::kInval, path + " is not a volume file");
  {
    std::lock_guard lock(mu_);
    auto it = served_.find(e.volume);
    if (it != served_.end()) {
      // Exporting again keeps the device (sessions go on) and takes the new credentials.
      it->second.entry.chap = e.chap;
      auto t = std::make_shared<iscsi::Target>(
          iscsi::Target{Iqn(e.volume), targets_.Find(Iqn(e.volume))->lu, e.chap});
      targets_.Add(t);
    } else {
      // The master lets a session read and write only the chunks of files it holds open
      // (for writing, on a writable export): the volume stays open while it is exported.
      ELK_RETURN_IF_ERROR(OpenVolume(attr->inode, path));
      auto dev =
          std::make_shared<volume::VolumeDevice>(*io_, attr->inode, attr->length, cache_.get());
      dev->set_thin(config_.thin_provisioning);
      const std::string serial = "ELK" + std::to_string(attr->inode);
      auto lu = std::make_shared<iscsi::ScsiLu>(
          dev, iscsi::LuIdentity{serial.substr(0, 32), NameHash(e.volume), "ElkFS volume"});
      targets_.Add(std::make_shared<iscsi::Target>(iscsi::Target{Iqn(e.volume), lu, e.chap}));
      served_[e.volume] = Served{e, dev};
    }
  }
  if (persist) ELK_RETURN_IF_ERROR(SaveExports());
  log::Info("mfsiscsid: exported {} as {}{}", path, Iqn(e.volume), e.chap ? " (CHAP)" : "");
  return ConnectionInfo(e);
}

Status Iscsid::Unexport(const std::string& volume) {
  {
    std::lock_guard lock(mu_);
    auto it = served_.find(volume);
    if (it == served_.end()) return Status(Code::kNoEnt, "volume " + volume + " is not exported");
    targets_.Remove(Iqn(volume));
    (void)it->second.device->Flush();
    ReleaseVolume(it->second.device->inode());
    served_.erase(it);
  }
  log::Info("mfsiscsid: unexported {}", Iqn(volume));
  return SaveExports();
}

Status Iscsid::Refresh(const std::string& volume) {
  std::shared_ptr<volume::VolumeDevice> dev;
  {
    std::lock_guard lock(mu_);
    auto it = served_.find(volume);
    if (it == served_.end()) return Status(Code::kNoEnt, "volume " + volume + " is not exported");
    dev = it->second.device;
  }
  auto attr = master_->Getattr(dev->inode(), volume::RootCreds());
  if (!attr.ok()) return attr.status();
  dev->set_size(attr->length);
  return Status::Ok();
}

json Iscsid::List() {
  json out = json::array();
  std::lock_guard lock(mu_);
  for (const auto& [name, s] : served_) {
    json e{{"volume", name}, {"target_iqn", Iqn(name)}, {"size", s.device->size_bytes()}};
    e["auth_method"] = s.entry.chap ? "CHAP" : "None";
    out.push_back(e);
  }
  return out;
}

Status Iscsid::SaveExports() {
  json doc = json::array();
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, s] : served_) {
      json e{{"volume", name}, {"path", s.entry.path}};
      if (s.entry.chap)
        e["chap"] = {{"user", s.entry.chap->user}, {"secret", s.entry.chap->secret}};
      doc.push_back(e);
    }
  }
  const std::string path = config_.data_path + "/iscsi_exports.json";
  // 0600: it holds CHAP secrets.
  return WriteFileAtomically(path, doc.dump(2) + "\n", 0600);
}

Status Iscsid::LoadExports() {
  const std::string path = config_.data_path + "/iscsi_exports.json";
  std::ifstream in(path);
  if (!in) return Status::Ok();  // none yet
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_array())
    return Status(Code::kCorruption, path + ": not a JSON list of exports");
  for (const json& e : doc) {
    ExportEntry entry{};
    entry.volume = e.value("volume", "");
    entry.path = e.value("path", "");
    if (e.contains("chap"))
      entry.chap =
          iscsi::ChapCredentials{e["chap"].value("user", ""), e["chap"].value("secret", "")};
    auto r = Export(entry, false);
    // A volume deleted while the target was down is dropped, the others served.
    if (!r.ok())
      log::Warning("mfsiscsid: export of {} not restored: {}", entry.volume, r.status().ToString());
  }
  return Status::Ok();
}

json Iscsid::Handle(const json& req) {
  if (!req.is_object()) return Error("a request is a JSON object");
  const std::string op = req.value("op", "");
  const std::string vol =
      req.contains("volume") && req["volume"].is_string() ? req["volume"].get<std::string>() : "";
  if (op == "list") {
    json out{{"ok", true}, {"portal", portal_address_}, {"exports", List()}};
    if (cache_) out["read_cache"] = {{"hits", cache_->hits()}, {"misses", cache_->misses()}};
    return out;
  }
  if (op == "export") {
    ExportEntry e{vol, req.value("path", ""), std::nullopt};
    const std::string user = req.value("chap_user", ""), secret = req.value("chap_secret", "");
    if (!user.empty() || !secret.empty()) {
      // RFC 7143 asks for secrets of at least 12 bytes; initiators refuse shorter ones too.
      if (user.empty() || secret.size() < 12 || secret.size() > 16)
        return Error("CHAP needs a user and a secret of 12 to 16 characters");
      e.chap = iscsi::ChapCredentials{user, secret};
    }
    auto r = Export(e, true);
    if (!r.ok()) return Error(r.status().ToString());
    json out = *r;
    out["ok"] = true;
    return out;
  }
  if (op == "unexport") {
    Status s = Unexport(vol);
    return s.ok() ? json{{"ok", true}} : Error(s.ToString());
  }
  if (op == "refresh") {
    Status s = Refresh(vol);
    return s.ok() ? json{{"ok", true}} : Error(s.ToString());
  }
  return Error("unknown op '" + op + "' (export, unexport, refresh, list)");
}

void Iscsid::AdminLoop() {
  while (!stopping_) {
    pollfd p{admin_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int c = ::accept4(admin_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string line;
    char buf[4096];
    // One request line, at most 64 KiB.
    while (line.find('\n') == std::string::npos && line.size() < 65536) {
      const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    json req = json::parse(line.substr(0, line.find('\n')), nullptr, false);
    json resp = req.is_discarded() ? Error("not JSON") : Handle(req);
    const std::string out = resp.dump() + "\n";
    (void)::send(c, out.data(), out.size(), MSG_NOSIGNAL);
    ::close(c);
  }
}

void Iscsid::GrantLoop() {
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::vector<std::shared_ptr<volume::VolumeDevice>> devs;
    {
      std::lock_guard lock(mu_);
      for (auto& [n, s] : served_)
        devs.push_back(s.device);
    }
    for (auto& d : devs)
      d->EndStaleGrants();
  }
}

}  // namespace elk::iscsid
