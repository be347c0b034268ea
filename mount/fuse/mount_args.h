#pragma once
// mfsmount's command line and its config file (mfsmount.cfg), parsed into one MountArgs.
//
//   mfsmount [MOUNTPOINT] [-c CFGFILE] [-H HOST] [-P PORT] [-S SUBFOLDER] [-p] [-m] [-f] [-d]
//            [-o opt[,opt...]]
//
// The config file holds defaults, one option per line as -o takes them (`mfsmaster = m1`,
// `mfsport=9421`, `allow_other`, `mfsmeta`), or a line that is a path (starts with '/'): the
// mount point when the command line names none. '#' starts a comment. Without -c the
// default file is read when it exists; a file named by -c must exist. Whatever the command
// line says wins over the file. A bad value is refused with "FILE:LINE: reason"; an
// unknown mfs* option is a warning. Options that only mount(8) reads (`_netdev`,
// `defaults`, `noauto`, `nofail`, `user`, `x-*`, ...) are dropped, so an fstab line
// `mfsmount /mnt/mfs fuse mfsmaster=HOST,_netdev 0 0` mounts.
//
// No FUSE here: the parsing is tested alone (mount_args_test).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace elk::mount {

// Where mfsmount looks without -c: MooseFS's place, where the package puts the sample too
// (a missing default file is no error).
inline constexpr std::string_view kDefaultMountCfg = "/etc/mfs/mfsmount.cfg";
std::string DefaultMountCfg();

// mfscachemode, as MooseFS: AUTO keeps a file's page cache across opens while its mtime
// and length are what this mount saw last time (so no other client changed it); YES always
// keeps it; NO drops it at every open; DIRECT bypasses it (direct_io).
enum class CacheMode { kAuto, kYes, kNo, kDirect };

struct MountArgs {
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
  bool help = false;
  double attr_timeout = 1.0;      // mfsattrcacheto
  double entry_timeout = 1.0;     // mfsentrycacheto
  double negentry_timeout = 0.0;  // mfsnegentrycacheto: how long "no such name" is cached
  double direntry_timeout = 1.0;  // mfsdirentrycacheto: accepted, no listing cache here
  CacheMode cache_mode = CacheMode::kAuto;
  uint64_t write_cache_bytes = 0;      // mfswritecachesize (MiB): write-behind per open file
  uint32_t readahead_bytes = 0;        // mfsreadaheadsize (MiB): the kernel's read-ahead cap
  bool password_is_md5 = false;        // mfsmd5pass: `password` holds MD5(password) in hex
  int io_retries = 0;                  // mfsioretries: tries per chunk operation (0: default)
  std::vector<std::string> fuse_opts;  // -o options that are not mfs*: handed to FUSE
  std::string config_file;             // the file read, empty when none
  // Unknown mfs* options and MooseFS options without an ElkFS feature, one each, naming
  // the option (and "FILE:LINE" when it came from the config file): mfsmount prints them
  // and goes on.
  std::vector<std::string> warnings;
};

// Parses argv (argv[0] is the program). `default_cfg`: the file read when there is no -c
// (tests point it elsewhere). kInval with the reason on a bad command line (no mount point
// at all too, unless help was asked); kBadConfig for a bad config line; the file's own
// error when it cannot be read.
Result<MountArgs> ParseMountArgs(const std::vector<std::string>& argv,
                                 std::string_view default_cfg = DefaultMountCfg());

// Applies the content of a config file named `name` (for error messages) to `args`.
Status ApplyMountCfg(std::string_view text, const std::string& name, MountArgs& args);

// The options mfsmount hands to FUSE: the -o ones, plus what mfsmount adds itself
// (docs/permissions.md): `allow_other` when root mounts, as MooseFS's mfsmount does, unless
// -o names allow_other or allow_root (which narrows a root mount to root); and
// `default_permissions` on the file system (not the meta mount -m), so the kernel checks
// search permission on every path and FIFO/device opens.
std::vector<std::string> FuseMountOptions(const MountArgs& args, bool by_root);

std::string MountUsage();

}  // namespace elk::mount
