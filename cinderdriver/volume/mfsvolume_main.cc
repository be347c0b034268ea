// mfsvolume: ElkFS volumes for VMs - create, snapshot, clone, extend, export over iSCSI.
// What a Cinder driver needs, with JSON (--json) for machines and tables for people.
// See docs/volumes.md.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cinderdriver/volume/volume_manager.h"
#include "common/cfg/config_file.h"

namespace {

using elk::Result;
using elk::Status;
using elk::volume::ManagerOptions;
using elk::volume::VolumeManager;
using nlohmann::json;

constexpr const char* kUsage = R"(usage: mfsvolume [options] COMMAND [ARGS]

commands:
  create NAME SIZE                         a sparse volume (SIZE: bytes or 10G, 512M...)
  delete NAME [--with-snapshots]           refused while it has snapshots or is exported
  snapshot VOLUME SNAP                     instant, copy-on-write
  delete-snapshot VOLUME SNAP
  create-from-snapshot NAME VOLUME SNAP [SIZE]
  clone NAME SOURCE [SIZE]                 instant, copy-on-write
  extend NAME SIZE                         grow only; exported volumes are told
  list
  stats                                    capacity, free space, volume count
  export NAME [--chap-stdin]               connection info for an initiator (Cinder's);
                                           CHAP as one line USER:SECRET on standard input
                                           (--chap USER:SECRET also works, but shows the
                                           secret to anyone who lists processes)
  unexport NAME

options:
  -c FILE         config (default /etc/mfs/mfsvolume.cfg, if present): MASTER_HOST,
                  MASTER_PORT, MASTER_PASSWORD, VOLUMES_PATH, VOLUMES_GOAL, ISCSID_SOCKET
  -H HOST         master host (mfsmaster)
  -P PORT         master port (9421)
  -V PATH         volumes folder in the file system (/volumes)
  -S SOCKET       mfsiscsid's admin socket (/var/lib/mfs/mfsiscsid.sock)
  -g GOAL         goal of the volumes folder (new volumes inherit it)
  -t SECONDS      give up after this long (exit 1, code ETIMEDOUT); 0: no limit
  --json          JSON output
  -h, --help      this text
)";

elk::cfg::Schema VolumeKeys() {
  using elk::cfg::Key;
  return {Key::MasterList("MASTER_HOST", "mfsmaster"),
          Key::Port("MASTER_PORT", 9421),
          Key::String("MASTER_PASSWORD", ""),
          Key::String("VOLUMES_PATH", "/volumes"),
          Key::Integer("VOLUMES_GOAL", 0, 0, 9),
          Key::String("ISCSID_SOCKET", "/var/lib/mfs/mfsiscsid.sock")};
}

std::string HumanSize(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

void PrintTable(const std::string& command, const json& r) {
  if (command == "list") {
    std::printf("%-40s %12s %5s %9s %s\n", "VOLUME", "SIZE", "GOAL", "EXPORTED", "SNAPSHOTS");
    for (const auto& v : r)
      std::printf("%-40s %12s %5d %9s %zu\n", v["name"].get<std::string>().c_str(),
                  HumanSize(v["size"]).c_str(), v["goal"].get<int>(),
                  v["exported"].get<bool>() ? "yes" : "no", v["snapshots"].size());
    return;
  }
  const json& flat = r.contains("data") ? r["data"] : r;
  for (const auto& [k, v] : flat.items()) {
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (k.find("bytes") != std::string::npos || k == "size") text += "  (" + HumanSize(v) + ")";
    std::printf("%-28s %s\n", k.c_str(), text.c_str());
  }
}

struct Parsed {
  ManagerOptions options;
  bool json_out = false;
  bool with_snapshots = false;
  std::string chap;
  unsigned time_limit = 0;  // -t, seconds
  std::vector<std::string> args;
};

// -t: a call stuck on an unreachable master or target ends with an answer the caller can
// read (Cinder's driver waits for it), not a process left behind. Only write and _exit
// here: this runs as a signal handler.
bool g_json_out = false;
void OnTimeLimit(int) {
  static constexpr char kJson[] =
      "{\"code\": \"ETIMEDOUT\", \"error\": \"mfsvolume: time limit (-t) reached\"}\n";
  static constexpr char kText[] = "mfsvolume: time limit (-t) reached\n";
  if (g_json_out) (void)!::write(STDOUT_FILENO, kJson, sizeof(kJson) - 1);
  (void)!::write(STDERR_FILENO, kText, sizeof(kText) - 1);
  ::_exit(1);
}

Result<Parsed> ParseArgs(int argc, char** argv) {
  Parsed p;
  std::string config = "/etc/mfs/mfsvolume.cfg";
  bool config_given = false;
  std::vector<std::pair<char, std::string>> flags;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= argc) return Status(elk::Code::kInval, a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "-h" || a == "--help") return Status(elk::Code::kAgain, "help");
    if (a == "--json") {
      p.json_out = true;
      continue;
    }
    if (a == "--with-snapshots") {
      p.with_snapshots = true;
      continue;
    }
    if (a == "--chap") {
      auto v = value();
      if (!v.ok()) return v.status();
      p.chap = *v;
      continue;
    }
    if (a == "--chap-stdin") {
      // Kept out of the argument list: ps and Cinder's command log show arguments.
      std::string line;
      if (!std::getline(std::cin, line) || line.empty())
        return Status(elk::Code::kInval, "--chap-stdin: no USER:SECRET line on standard input");
      if (line.back() == '\r') line.pop_back();
      p.chap = line;
      continue;
    }
    if (a == "-t") {
      auto v = value();
      if (!v.ok()) return v.status();
      char* end = nullptr;
      const unsigned long n = std::strtoul(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || n > 86400)
        return Status(elk::Code::kInval, "-t: seconds, 0 to 86400");
      p.time_limit = static_cast<unsigned>(n);
      continue;
    }
    if (a.size() == 2 && a[0] == '-' && std::string("cHPVSg").find(a[1]) != std::string::npos) {
      auto v = value();
      if (!v.ok()) return v.status();
      if (a[1] == 'c') {
        config = *v;
        config_given = true;
      } else
        flags.emplace_back(a[1], *v);
      continue;
    }
    if (a.size() > 1 && a[0] == '-') return Status(elk::Code::kInval, "unknown option " + a);
    p.args.push_back(a);
  }
  elk::cfg::ConfigFile cfg(VolumeKeys());
  if (config_given || ::access(config.c_str(), R_OK) == 0)
    ELK_RETURN_IF_ERROR(cfg.Load(config));
  else
    ELK_RETURN_IF_ERROR(cfg.LoadString(""));
  ManagerOptions& o = p.options;
  o.master_host = cfg.GetMasterList("MASTER_HOST");
  o.master_port = cfg.GetPort("MASTER_PORT");
  if (!cfg.GetString("MASTER_PASSWORD").empty()) o.password = cfg.GetString("MASTER_PASSWORD");
  o.volumes_path = cfg.GetString("VOLUMES_PATH");
  o.iscsid_socket = cfg.GetString("ISCSID_SOCKET");
  if (cfg.GetInteger("VOLUMES_GOAL") > 0)
    o.goal = static_cast<uint8_t>(cfg.GetInteger("VOLUMES_GOAL"));
  for (const auto& [f, v] : flags) {
    if (f == 'H') o.master_host = v;
    if (f == 'V') o.volumes_path = v;
    if (f == 'S') o.iscsid_socket = v;
    if (f == 'P' || f == 'g') {
      int n = 0;
      try {
        n = std::stoi(v);
      } catch (...) {
        n = -1;
      }
      if (f == 'P' && (n < 1 || n > 65535)) return Status(elk::Code::kInval, "-P: bad port " + v);
      if (f == 'g' && (n < 1 || n > 9)) return Status(elk::Code::kInval, "-g: goal is 1 to 9");
      if (f == 'P')
        o.master_port = static_cast<uint16_t>(n);
      else
        o.goal = static_cast<uint8_t>(n);
    }
  }
  if (o.volumes_path.empty() || o.volumes_path[0] != '/')
    return Status(elk::Code::kInval, "the volumes path must be absolute");
  return p;
}

Result<json> Run(VolumeManager& m, const Parsed& p) {
  const auto& a = p.args;
  const std::string& cmd = a[0];
  auto need = [&](size_t lo, size_t hi) -> Status {
    if (a.size() - 1 < lo || a.size() - 1 > hi)
      return Status(elk::Code::kInval, cmd + ": wrong number of arguments (see --help)");
    return Status::Ok();
  };
  auto size_at = [&](size_t i) -> Result<uint64_t> {
    if (i >= a.size()) return uint64_t{0};
    return elk::volume::ParseVolumeSize(a[i]);
  };
  if (cmd == "create") {
    ELK_RETURN_IF_ERROR(need(2, 2));
    auto s = size_at(2);
    if (!s.ok()) return s.status();
    return m.Create(a[1], *s);
  }
  if (cmd == "delete") {
    ELK_RETURN_IF_ERROR(need(1, 1));
    return m.Delete(a[1], p.with_snapshots);
  }
  if (cmd == "snapshot") {
    ELK_RETURN_IF_ERROR(need(2, 2));
    return m.Snapshot(a[1], a[2]);
  }
  if (cmd == "delete-snapshot") {
    ELK_RETURN_IF_ERROR(need(2, 2));
    return m.DeleteSnapshot(a[1], a[2]);
  }
  if (cmd == "create-from-snapshot") {
    ELK_RETURN_IF_ERROR(need(3, 4));
    auto s = size_at(4);
    if (!s.ok()) return s.status();
    return m.CreateFromSnapshot(a[1], a[2], a[3], *s);
  }
  if (cmd == "clone") {
    ELK_RETURN_IF_ERROR(need(2, 3));
    auto s = size_at(3);
    if (!s.ok()) return s.status();
    return m.Clone(a[1], a[2], *s);
  }
  if (cmd == "extend") {
    ELK_RETURN_IF_ERROR(need(2, 2));
    auto s = size_at(2);
    if (!s.ok()) return s.status();
    return m.Extend(a[1], *s);
  }
  if (cmd == "list") {
    ELK_RETURN_IF_ERROR(need(0, 0));
    return m.List();
  }
  if (cmd == "stats") {
    ELK_RETURN_IF_ERROR(need(0, 0));
    return m.Stats();
  }
  if (cmd == "export") {
    ELK_RETURN_IF_ERROR(need(1, 1));
    std::string user, secret;
    if (!p.chap.empty()) {
      const size_t colon = p.chap.find(':');
      if (colon == std::string::npos) return Status(elk::Code::kInval, "--chap USER:SECRET");
      user = p.chap.substr(0, colon);
      secret = p.chap.substr(colon + 1);
    }
    return m.Export(a[1], user, secret);
  }
  if (cmd == "unexport") {
    ELK_RETURN_IF_ERROR(need(1, 1));
    return m.Unexport(a[1]);
  }
  return Status(elk::Code::kInval, "unknown command '" + cmd + "' (see --help)");
}

}  // namespace

int main(int argc, char** argv) {
  auto p = ParseArgs(argc, argv);
  if (!p.ok() && p.code() == elk::Code::kAgain) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!p.ok() || p->args.empty()) {
    std::fprintf(stderr, "mfsvolume: %s\n%s", p.ok() ? "no command" : p.status().message().c_str(),
                 kUsage);
    return 2;
  }
  if (p->time_limit > 0) {
    g_json_out = p->json_out;
    std::signal(SIGALRM, OnTimeLimit);
    ::alarm(p->time_limit);
  }
  auto m = VolumeManager::Open(p->options);
  Result<json> r = m.ok() ? Run(**m, *p) : Result<json>(m.status());
  if (!r.ok()) {
    if (p->json_out)
      std::cout << json{{"error", r.status().message()},
                        {"code", std::string(elk::code_name(r.code()))}}
                       .dump()
                << "\n";
    std::fprintf(stderr, "mfsvolume: %s\n", r.status().ToString().c_str());
    return 1;
  }
  if (p->json_out)
    std::cout << r->dump(2) << "\n";
  else
    PrintTable(p->args[0], *r);
  return 0;
}
