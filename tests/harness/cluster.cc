#include "tests/harness/cluster.h"

#include <fmt/format.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace elk::test {
namespace {

namespace fs = std::filesystem;

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return out ? Status::Ok() : Status(Code::kIo, "cannot write " + path);
}

std::string Lines(const std::map<std::string, std::string>& kv) {
  std::string out;
  for (const auto& [k, v] : kv)
    out += fmt::format("{} = {}\n", k, v);
  return out;
}

bool IsMounted(const std::string& path) {
  std::ifstream mounts("/proc/mounts");
  std::string dev, point, rest;
  while (mounts >> dev >> point && std::getline(mounts, rest)) {
    if (point == path) return true;
  }
  return false;
}

}  // namespace

std::string Cluster::BinDir() {
  if (const char* env = ::getenv("ELKFS_BIN_DIR")) return env;
  return ELKFS_BIN_DIR;  // set by CMake: build/<preset>/bin
}

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {}

std::string Cluster::chunkserver_disk(int i) const {
  return fmt::format("{}/hdd{}", dir_, i);
}

Result<std::unique_ptr<Cluster>> Cluster::Start(ClusterOptions options) {
  std::unique_ptr<Cluster> c(new Cluster(std::move(options)));  // private constructor
  char tmpl[] = "/tmp/elkfs-cluster-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return Status::FromErrno(errno, "mkdtemp");
  c->dir_ = tmpl;
  c->port_ml_ = FreePort();
  c->port_cs_ = FreePort();
  c->port_client_ = FreePort();
  c->port_http_ = FreePort();
  for (int i = 0; i < c->options_.chunkservers; i++)
    c->cs_ports_.push_back(FreePort());
  const int followers = std::max(c->options_.followers, c->options_.follower ? 1 : 0);
  c->followers_.resize(static_cast<size_t>(followers));
  for (auto& f : c->followers_) {
    f.ml = FreePort();
    f.cs = FreePort();
    f.client = FreePort();
    f.http = FreePort();
  }
  c->chunkservers_.resize(static_cast<size_t>(c->options_.chunkservers));
  ELK_RETURN_IF_ERROR(c->WriteConfigs());
  ELK_RETURN_IF_ERROR(c->StartMaster());
  // Elected masters: the first gets time to win (a master new to the cluster waits 1 s
  // before it campaigns) before the second starts, so the test knows who leads.
  if (c->options_.elected) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  for (int i = 0; i < c->follower_count(); i++)
    ELK_RETURN_IF_ERROR(c->StartFollower(i, false));
  if (c->options_.metalogger) ELK_RETURN_IF_ERROR(c->StartMetalogger());
  for (int i = 0; i < c->options_.chunkservers; i++)
    ELK_RETURN_IF_ERROR(c->StartChunkserver(i));
  if (c->options_.mount) ELK_RETURN_IF_ERROR(c->Mount(false));
  if (c->options_.meta_mount) ELK_RETURN_IF_ERROR(c->Mount(true));
  return c;
}

// The servers keep the identity of whoever runs the test: a machine that has MooseFS's `mfs`
// user would otherwise drop root for it and lose access to the test's root-owned folders.
namespace {
std::string CurrentUser() {
  const passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : std::to_string(geteuid());
}
}  // namespace

Status Cluster::WriteConfigs() {
  for (const char* d : {"master", "metalogger", "mnt", "meta"})
    fs::create_directories(dir_ + "/" + d);
  ELK_RETURN_IF_ERROR(WriteFile(dir_ + "/mfsexports.cfg", options_.exports));
  std::map<std::string, std::string> master = {
      {"DATA_PATH", master_data()},
      {"WORKING_USER", CurrentUser()},
      {"EXPORTS_FILENAME", dir_ + "/mfsexports.cfg"},
      {"MATOML_LISTEN_HOST", "127.0.0.1"},
      {"MATOML_LISTEN_PORT", std::to_string(port_ml_)},
      {"MATOCS_LISTEN_HOST", "127.0.0.1"},
      {"MATOCS_LISTEN_PORT", std::to_string(port_cs_)},
      {"MATOCL_LISTEN_HOST", "127.0.0.1"},
      {"MATOCL_LISTEN_PORT", std::to_string(port_client_)},
      {"HTTP_LISTEN_HOST", "127.0.0.1"},
      {"HTTP_LISTEN_PORT", std::to_string(port_http_)},
      {"REPLICATIONS_DELAY_INIT", "1"},
      {"REPLICATIONS_DELAY_DISCONNECT", "2"},
  };
  if (!options_.auth_code.empty()) master["AUTH_CODE"] = options_.auth_code;
  if (options_.elected) master["MASTER_NODE_ID"] = "master";
  for (const auto& [k, v] : options_.master_cfg)
    master[k] = v;
  ELK_RETURN_IF_ERROR(WriteFile(dir_ + "/mfsmaster.cfg", Lines(master) + options_.master_cfg_text));
  for (int i = 0; i < follower_count(); i++)
    ELK_RETURN_IF_ERROR(WriteFollowerConfig(i, true));
  std::map<std::string, std::string> ml = {
      {"DATA_PATH", metalogger_data()},
      {"WORKING_USER", CurrentUser()},
      {"MASTER_HOST", PeerMasters(&FollowerMaster::ml)},
      {"MASTER_PORT", std::to_string(PeerPort(port_ml_, &FollowerMaster::ml))}};
  // With a follower the metalogger may be sent between masters: a short delay keeps up.
  if (!followers_.empty()) ml["MASTER_RECONNECTION_DELAY"] = "1";
  if (!options_.auth_code.empty()) ml["AUTH_CODE"] = options_.auth_code;
  ELK_RETURN_IF_ERROR(
      WriteFile(dir_ + "/mfsmetalogger.cfg", Lines(ml) + options_.metalogger_cfg_text));
  for (int i = 0; i < options_.chunkservers; i++) {
    fs::create_directories(chunkserver_disk(i));
    fs::create_directories(fmt::format("{}/cs{}", dir_, i));
    ELK_RETURN_IF_ERROR(WriteFile(fmt::format("{}/mfshdd{}.cfg", dir_, i),
                                  chunkserver_disk(i) + "\n" + options_.hdd_cfg_text));
    std::map<std::string, std::string> cs = {
        {"DATA_PATH", fmt::format("{}/cs{}", dir_, i)},
        {"WORKING_USER", CurrentUser()},
        {"HDD_CONF_FILENAME", fmt::format("{}/mfshdd{}.cfg", dir_, i)},
        {"MASTER_HOST", PeerMasters(&FollowerMaster::cs)},
        {"MASTER_PORT", std::to_string(PeerPort(port_cs_, &FollowerMaster::cs))},
        {"CSSERV_LISTEN_HOST", "127.0.0.1"},
        {"CSSERV_LISTEN_PORT", std::to_string(cs_ports_[static_cast<size_t>(i)])},
        {"HDD_LEAVE_SPACE_DEFAULT", "64MiB"},
        {"MASTER_RECONNECTION_DELAY", "1"},
    };
    if (!options_.auth_code.empty()) cs["AUTH_CODE"] = options_.auth_code;
    for (const auto& [k, v] : options_.chunkserver_cfg)
      cs[k] = v;
    ELK_RETURN_IF_ERROR(WriteFile(ChunkserverCfg(i), Lines(cs) + options_.chunkserver_cfg_text));
  }
  return Status::Ok();
}

std::string Cluster::ChunkserverCfg(int i) const {
  return fmt::format("{}/mfschunkserver{}.cfg", dir_, i);
}

Status Cluster::StartServer(const std::string& name, std::vector<std::string> argv, uint16_t port,
                            Process& slot) {
  auto p = Process::Spawn(argv, log(name));
  if (!p.ok()) return p.status();
  slot = std::move(*p);
  if (port != 0 && !WaitForPort(port, options_.start_timeout)) {
    return Status(Code::kTimeout,
                  fmt::format("{} did not listen on port {} (log: {})", name, port, log(name)));
  }
  if (!slot.Alive()) return Status(Code::kIo, fmt::format("{} exited (log: {})", name, log(name)));
  return Status::Ok();
}

Status Cluster::StartMaster(bool auto_recover) {
  std::vector<std::string> argv = options_.master_prefix;
  for (std::string arg :
       {BinDir() + "/mfsmaster", std::string("-f"), std::string("-c"), dir_ + "/mfsmaster.cfg"}) {
    argv.push_back(std::move(arg));
  }
  if (auto_recover) argv.push_back("-a");
  return StartServer("master", argv, port_client_, master_);
}
int Cluster::StopMaster() {
  return master_.Terminate();
}
void Cluster::KillMaster() {
  master_.Kill();
}

std::string Cluster::follower_name(int i) {
  return i == 0 ? "follower" : fmt::format("follower{}", i + 1);
}

std::string Cluster::FollowerCfg(int i) const {
  return fmt::format("{}/mfsmaster-{}.cfg", dir_, follower_name(i));
}

// A follower's config: the leader's, with its own folder and ports (and MASTER_FOLLOW).
Status Cluster::WriteFollowerConfig(int i, bool follow) {
  fs::create_directories(follower_data(i));
  const FollowerMaster& fm = Follower(i);
  std::map<std::string, std::string> f = {
      {"DATA_PATH", follower_data(i)},
      {"WORKING_USER", CurrentUser()},
      {"EXPORTS_FILENAME", dir_ + "/mfsexports.cfg"},
      {"MATOML_LISTEN_HOST", "127.0.0.1"},
      {"MATOML_LISTEN_PORT", std::to_string(fm.ml)},
      {"MATOCS_LISTEN_HOST", "127.0.0.1"},
      {"MATOCS_LISTEN_PORT", std::to_string(fm.cs)},
      {"MATOCL_LISTEN_HOST", "127.0.0.1"},
      {"MATOCL_LISTEN_PORT", std::to_string(fm.client)},
      {"HTTP_LISTEN_HOST", "127.0.0.1"},
      {"HTTP_LISTEN_PORT", std::to_string(fm.http)},
      {"REPLICATIONS_DELAY_INIT", "1"},
      {"REPLICATIONS_DELAY_DISCONNECT", "2"},
  };
  if (!options_.auth_code.empty()) f["AUTH_CODE"] = options_.auth_code;
  for (const auto& [k, v] : options_.master_cfg)
    f[k] = v;
  if (options_.elected) {
    f["MASTER_NODE_ID"] = follower_name(i);
  } else if (follow) {
    f["MASTER_FOLLOW"] = fmt::format("127.0.0.1:{}", port_ml_);
  }
  return WriteFile(FollowerCfg(i), Lines(f) + options_.master_cfg_text);
}

Status Cluster::StartFollower(bool auto_recover) {
  return StartFollower(0, auto_recover);
}
Status Cluster::StartFollower(int i, bool auto_recover) {
  std::vector<std::string> argv = {BinDir() + "/mfsmaster", "-f", "-c", FollowerCfg(i)};
  if (auto_recover) argv.push_back("-a");
  FollowerMaster& f = Follower(i);
  return StartServer(follower_name(i), argv, f.client, f.process);
}
int Cluster::StopFollower(int i) {
  return Follower(i).process.Terminate();
}
void Cluster::KillFollower(int i) {
  Follower(i).process.Kill();
}
Status Cluster::PromoteFollower(int i) {
  ELK_RETURN_IF_ERROR(WriteFollowerConfig(i, false));
  if (::kill(follower_pid(i), SIGHUP) != 0) {
    return Status::FromErrno(errno, "SIGHUP " + follower_name(i));
  }
  return Status::Ok();
}

Status Cluster::StartChunkserver(int i) {
  return StartServer(fmt::format("chunkserver{}", i),
                     {BinDir() + "/mfschunkserver", "-f", "-c", ChunkserverCfg(i)},
                     cs_ports_.at(static_cast<size_t>(i)),
                     chunkservers_.at(static_cast<size_t>(i)));
}
int Cluster::StopChunkserver(int i) {
  return chunkservers_.at(static_cast<size_t>(i)).Terminate();
}
void Cluster::KillChunkserver(int i) {
  chunkservers_.at(static_cast<size_t>(i)).Kill();
}

Status Cluster::StartMetalogger() {
  return StartServer("metalogger",
                     {BinDir() + "/mfsmetalogger", "-f", "-c", dir_ + "/mfsmetalogger.cfg"}, 0,
                     metalogger_);
}
int Cluster::StopMetalogger() {
  return metalogger_.Terminate();
}
// One master is written as MooseFS users write it (a host, the port apart); every master as
// a list whose later entries carry their own port.
std::string Cluster::PeerMasters(PortOf port) const {
  std::string list = "127.0.0.1";
  if (!options_.peers_at_both) return list;
  for (const auto& f : followers_)
    list += fmt::format(", 127.0.0.1:{}", f.*port);
  return list;
}

uint16_t Cluster::PeerPort(uint16_t leader_port, PortOf port) const {
  const bool at_follower =
      options_.peers_at_follower && !options_.peers_at_both && !followers_.empty();
  return at_follower ? followers_.front().*port : leader_port;
}

void Cluster::KillMetalogger() {
  metalogger_.Kill();
}

Status Cluster::Mount(bool meta) {
  std::string point = meta ? meta_point() : mount_point();
  std::vector<std::string> argv = {BinDir() + "/mfsmount",
                                   point,
                                   "-f",
                                   "-H",
                                   PeerMasters(&FollowerMaster::client),
                                   "-P",
                                   std::to_string(PeerPort(port_client_, &FollowerMaster::client))};
  if (meta) {
    argv.push_back("-m");
    argv.insert(argv.end(), options_.meta_mount_args.begin(), options_.meta_mount_args.end());
  } else {
    argv.insert(argv.end(), options_.mount_args.begin(), options_.mount_args.end());
  }
  Process& slot = meta ? meta_mount_ : mount_;
  ELK_RETURN_IF_ERROR(StartServer(meta ? "meta-mount" : "mount", argv, 0, slot));
  ELK_RETURN_IF_ERROR(WaitMounted(point, slot, "mount"));
  (meta ? meta_mounted_ : mounted_) = true;
  return Status::Ok();
}

Status Cluster::WaitMounted(const std::string& point, Process& mfsmount,
                            const std::string& log_name) {
  for (int i = 0; i < 300 && !IsMounted(point); i++) {
    if (!mfsmount.Alive()) return Status(Code::kIo, "mfsmount exited (log: " + log(log_name) + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!IsMounted(point)) return Status(Code::kTimeout, "mount did not appear at " + point);
  return Status::Ok();
}

Status Cluster::MountExtra(int i, std::vector<std::string> args) {
  const std::string point = extra_mount_point(i);
  std::error_code ec;
  fs::create_directories(point, ec);
  std::vector<std::string> argv = {
      BinDir() + "/mfsmount", point, "-f", "-H", "127.0.0.1", "-P", std::to_string(port_client_)};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string name = "mount" + std::to_string(i);
  ELK_RETURN_IF_ERROR(StartServer(name, argv, 0, extra_mounts_[i]));
  return WaitMounted(point, extra_mounts_[i], name);
}

Status Cluster::UnmountExtra(int i) {
  auto it = extra_mounts_.find(i);
  if (it == extra_mounts_.end()) return Status::Ok();
  const std::string point = extra_mount_point(i);
  if (IsMounted(point)) {
    std::string cmd = "fusermount3 -u " + point + " 2>/dev/null || umount -l " + point;
    if (std::system(cmd.c_str()) != 0) return Status(Code::kBusy, "cannot unmount " + point);
  }
  it->second.Terminate(std::chrono::seconds(5));
  extra_mounts_.erase(it);
  return Status::Ok();
}

void Cluster::KillExtraMount(int i) {
  auto it = extra_mounts_.find(i);
  if (it == extra_mounts_.end()) return;
  it->second.Kill();
  const std::string point = extra_mount_point(i);
  std::string cmd = "fusermount3 -u -z " + point + " 2>/dev/null || umount -l " + point;
  (void)std::system(cmd.c_str());
  extra_mounts_.erase(it);
}

Status Cluster::Unmount(bool meta) {
  std::string point = meta ? meta_point() : mount_point();
  bool& flag = meta ? meta_mounted_ : mounted_;
  if (flag && IsMounted(point)) {
    std::string cmd = "fusermount3 -u " + point + " 2>/dev/null || umount -l " + point;
    if (std::system(cmd.c_str()) != 0) return Status(Code::kBusy, "cannot unmount " + point);
  }
  flag = false;
  (meta ? meta_mount_ : mount_).Terminate(std::chrono::seconds(5));
  return Status::Ok();
}

Cluster::~Cluster() {
  while (!extra_mounts_.empty()) {
    const int i = extra_mounts_.begin()->first;
    if (!UnmountExtra(i).ok()) KillExtraMount(i);
  }
  (void)Unmount(true);
  (void)Unmount(false);
  metalogger_.Terminate(std::chrono::seconds(5));
  for (auto f = followers_.rbegin(); f != followers_.rend(); ++f)
    f->process.Terminate(std::chrono::seconds(10));
  for (auto& cs : chunkservers_)
    cs.Terminate(std::chrono::seconds(5));
  master_.Terminate(std::chrono::seconds(10));
  // ELKFS_KEEP_CLUSTER=1 keeps every test's folder (logs) for a failure seen under load.
  const bool keep = options_.keep_dir || ::getenv("ELKFS_KEEP_CLUSTER") != nullptr;
  if (!keep && !dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace elk::test
