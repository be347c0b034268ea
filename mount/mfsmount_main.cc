// mfsmount: mounts ElkFS with FUSE3 (docs/client.md).
//
//   mfsmount MOUNTPOINT [-c CFGFILE] [-H HOST] [-P PORT] [-S SUBFOLDER] [-p] [-m] [-f] [-d]
//            [-o opt,...]
//
// mfs options in -o: mfsmaster=, mfsport=, mfssubfolder=, mfspassword=, mfsattrcacheto=,
// mfsentrycacheto=, mfsmeta, mfstrashbuckets; every other -o option goes to FUSE (allow_other,
// ...). The config file (mount/fuse/mount_args.h) gives defaults the command line overrides.
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/heap.h"
#include "common/log/log.h"
#include "common/net/master_addresses.h"
#include "mount/client/chunk_io.h"
#include "mount/client/master_session.h"
#include "mount/fuse/elk_fuse.h"
#include "mount/fuse/meta_fuse.h"
#include "mount/fuse/mount_args.h"

int main(int argc, char** argv) {
  elk::KeepFreedDataBuffers();
  auto parsed = elk::mount::ParseMountArgs(std::vector<std::string>(argv, argv + argc));
  if (!parsed.ok()) {
    // The usage helps with a bad command line, not with a bad or missing config file.
    const bool usage = parsed.code() == elk::Code::kInval;
    std::fprintf(stderr, "mfsmount: %s\n%s", parsed.status().message().c_str(),
                 usage ? elk::mount::MountUsage().c_str() : "");
    return 2;
  }
  elk::mount::MountArgs& a = *parsed;
  if (a.help) {
    std::fputs(elk::mount::MountUsage().c_str(), stdout);
    return 0;
  }
  for (const std::string& w : a.warnings)
    std::fprintf(stderr, "mfsmount: %s\n", w.c_str());
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
  so.password_is_md5 = a.password_is_md5;
  so.defer_reader = true;  // started after fuse_daemonize's fork
  auto session = elk::client::MasterSession::Open(so);
  if (!session.ok()) {
    std::fprintf(stderr, "mfsmount: %s\n", session.status().ToString().c_str());
    return 1;
  }
  elk::client::ChunkIoOptions co;
  if (a.io_retries > 0) co.attempts = a.io_retries;
  elk::client::ChunkIo io(**session, co);
  elk::mount::FuseOptions fo;
  fo.attr_timeout = a.attr_timeout;
  fo.entry_timeout = a.entry_timeout;
  fo.negentry_timeout = a.negentry_timeout;
  fo.cache_mode = a.cache_mode;
  if (a.readahead_bytes > 0) fo.readahead = a.readahead_bytes;
  if (a.write_cache_bytes > 0) fo.write_buffer = a.write_cache_bytes;
  elk::mount::ElkFuse fs(**session, io, fo);
  elk::mount::MetaFuse meta(**session, a.attr_timeout, a.trash_buckets, a.entry_timeout);
  const fuse_lowlevel_ops& ops = a.meta ? elk::mount::MetaFuse::Ops() : elk::mount::ElkFuse::Ops();
  void* userdata = a.meta ? static_cast<void*>(&meta) : static_cast<void*>(&fs);

  std::vector<std::string> fargv = {argv[0]};
  // The first master of the list names the mount (a comma would end FUSE's option).
  auto masters = elk::net::ParseMasterList(a.host, a.port);
  const std::string first = masters.ok()
                                ? fmt::format("{}:{}", masters->front().host, masters->front().port)
                                : a.host + ":" + std::to_string(a.port);
  std::string opts =
      std::string(a.meta ? "fsname=mfsmeta#" : "fsname=mfs#") + first + ",subtype=elkfs";
  for (const auto& o : elk::mount::FuseMountOptions(a, ::geteuid() == 0))
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
  if (!a.meta) fs.AttachSession(se);
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
        // Lock waits reply to FUSE from their own threads: all done before the session goes.
        if (!a.meta) fs.StopLockWaits();
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
