// mfsmount: mounts ElkFS with FUSE3 (docs/client.md).
//
//   mfsmount MOUNTPOINT [-H HOST] [-P PORT] [-S SUBFOLDER] [-p] [-m] [-f] [-d] [-o opt,...]
//
// mfs options in -o: mfsmaster=, mfsport=, mfssubfolder=, mfspassword=, mfsattrcacheto=,
// mfsentrycacheto=, mfsmeta, mfstrashbuckets; every other -o option goes to FUSE (allow_other,
// ...).
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/log/log.h"
#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "mount/fuse/elk_fuse.h"
#include "mount/fuse/meta_fuse.h"

namespace {

struct Args {
  std::string mountpoint;
  std::string host = "mfsmaster";
  uint16_t port = 9421;
  std::string subfolder = "/";
  std::optional<std::string> password;
  bool ask_password = false;
  bool meta = false;
  bool trash_buckets = false;  // the meta mount in MooseFS 3's layout (trash/XXX/, sustained/)
  bool foreground = false;
  bool debug = false;
  double attr_timeout = 1.0;
  double entry_timeout = 1.0;
  std::vector<std::string> fuse_opts;
};

void Usage() {
  std::fprintf(stderr,
               "usage: mfsmount MOUNTPOINT [-H HOST] [-P PORT] [-S SUBFOLDER] [-p] [-m] [-f] [-d]"
               " [-o opt[,opt...]]\n"
               "  mfs options: mfsmaster=HOST mfsport=PORT mfssubfolder=PATH mfspassword=PASS\n"
               "               mfsattrcacheto=SEC mfsentrycacheto=SEC mfsmeta\n"
               "               mfstrashbuckets (with -m: trash in 4096 folders trash/XXX/ and\n"
               "               reserved files in sustained/, as MooseFS 3 shows them)\n");
}

bool ParsePort(const std::string& s, uint16_t* out) {
  char* end = nullptr;
  unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v == 0 || v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool ParseOptionList(const std::string& list, Args& a) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string opt =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? list.size() + 1 : comma + 1;
    if (opt.empty()) continue;
    auto eq = opt.find('=');
    std::string key = opt.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    if (key == "mfsmaster") {
      a.host = value;
    } else if (key == "mfsport") {
      if (!ParsePort(value, &a.port)) return false;
    } else if (key == "mfssubfolder") {
      a.subfolder = value;
    } else if (key == "mfspassword") {
      a.password = value;
    } else if (key == "mfsattrcacheto") {
      a.attr_timeout = std::atof(value.c_str());
    } else if (key == "mfsentrycacheto") {
      a.entry_timeout = std::atof(value.c_str());
    } else if (key == "mfstrashbuckets") {
      a.trash_buckets = true;
    } else if (key == "mfsmeta") {
      a.meta = true;
    } else if (key.rfind("mfs", 0) == 0) {
      std::fprintf(stderr, "mfsmount: option '%s' ignored\n", key.c_str());
    } else {
      a.fuse_opts.push_back(opt);
    }
  }
  return true;
}

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](std::string* out) {
      if (s.size() > 2) {
        *out = s.substr(2);
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (s.rfind("-H", 0) == 0) {
      if (!value(&a.host)) return false;
    } else if (s.rfind("-P", 0) == 0) {
      if (!value(&v) || !ParsePort(v, &a.port)) return false;
    } else if (s.rfind("-S", 0) == 0) {
      if (!value(&a.subfolder)) return false;
    } else if (s.rfind("-o", 0) == 0) {
      if (!value(&v) || !ParseOptionList(v, a)) return false;
    } else if (s == "-p") {
      a.ask_password = true;
    } else if (s == "-m") {
      a.meta = true;
    } else if (s == "-f") {
      a.foreground = true;
    } else if (s == "-d") {
      a.debug = true;
      a.foreground = true;
    } else if (s == "-h" || s == "--help") {
      return false;
    } else if (!s.empty() && s[0] != '-' && a.mountpoint.empty()) {
      a.mountpoint = s;
    } else {
      std::fprintf(stderr, "mfsmount: unknown argument '%s'\n", s.c_str());
      return false;
    }
  }
  return !a.mountpoint.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, a)) {
    Usage();
    return 2;
  }
  if (a.ask_password) {
    const char* pw = ::getpass("MFS Password:");
    if (pw == nullptr) return 1;
    a.password = pw;
  }
  elk::client::SessionOptions so;
  so.host = a.host;
  so.port = a.port;
  so.export_path = a.meta ? "." : (a.subfolder.empty() ? "/" : a.subfolder);
  so.password = a.password;
  so.defer_reader = true;  // started after fuse_daemonize's fork
  auto session = elk::client::MasterSession::Open(so);
  if (!session.ok()) {
    std::fprintf(stderr, "mfsmount: %s\n", session.status().ToString().c_str());
    return 1;
  }
  elk::client::ChunkIo io(**session);
  elk::mount::FuseOptions fo;
  fo.attr_timeout = a.attr_timeout;
  fo.entry_timeout = a.entry_timeout;
  fo.master_host = a.host;
  fo.master_port = a.port;
  elk::mount::ElkFuse fs(**session, io, fo);
  elk::mount::MetaFuse meta(**session, io, a.attr_timeout, a.trash_buckets);
  const fuse_lowlevel_ops& ops = a.meta ? elk::mount::MetaFuse::Ops() : elk::mount::ElkFuse::Ops();
  void* userdata = a.meta ? static_cast<void*>(&meta) : static_cast<void*>(&fs);

  std::vector<std::string> fargv = {argv[0]};
  std::string opts = std::string(a.meta ? "fsname=mfsmeta#" : "fsname=mfs#") + a.host + ":" +
                     std::to_string(a.port) + ",subtype=elkfs";
  for (const auto& o : a.fuse_opts)
    opts += "," + o;
  fargv.push_back("-o");
  fargv.push_back(opts);
  if (a.debug) fargv.push_back("-d");
  std::vector<char*> cargv;
  for (auto& s : fargv)
    cargv.push_back(s.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(cargv.size()), cargv.data());

  fuse_session* se = fuse_session_new(&args, &ops, sizeof(fuse_lowlevel_ops), userdata);
  if (se == nullptr) {
    std::fprintf(stderr, "mfsmount: can't create the FUSE session\n");
    return 1;
  }
  int rc = 1;
  if (fuse_set_signal_handlers(se) == 0) {
    if (fuse_session_mount(se, a.mountpoint.c_str()) == 0) {
      if (fuse_daemonize(a.foreground ? 1 : 0) == 0) {
        (*session)->StartReader();
        fuse_loop_config cfg{};
        cfg.clone_fd = 0;
        cfg.max_idle_threads = 16;
        // A stop by signal (SIGTERM, SIGINT, SIGHUP) ends the loop with that signal's number:
        // still a clean unmount.
        const int loop = fuse_session_loop_mt(se, &cfg);
        rc = (loop == 0 || loop == SIGTERM || loop == SIGINT || loop == SIGHUP) ? 0 : 1;
      }
      fuse_session_unmount(se);
    } else {
      std::fprintf(stderr, "mfsmount: can't mount on %s\n", a.mountpoint.c_str());
    }
    fuse_remove_signal_handlers(se);
  }
  fuse_session_destroy(se);
  fuse_opt_free_args(&args);
  return rc;
}
