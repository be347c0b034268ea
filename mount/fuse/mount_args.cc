#include "mount/fuse/mount_args.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <optional>

#include "common/cfg/file_read.h"
#include "common/cfg/text_util.h"
#include "common/net/master_addresses.h"

namespace elk::mount {
namespace {

bool ParsePort(const std::string& s, uint16_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || v == 0 || v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool ParseSeconds(const std::string& s, double* out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno != 0 || !(v >= 0) || v > 86400) return false;
  *out = v;
  return true;
}

Status BadValue(const std::string& key, const std::string& value, std::string_view want) {
  return Status(Code::kInval, fmt::format("{}: '{}' is not {}", key, value, want));
}

// -H / mfsmaster=: one master or several (comma/space-separated, HOST[:PORT] each).
Status SetMasters(const std::string& key, const std::string& value, MountArgs& a) {
  auto list = net::ParseMasterList(value, 1);
  if (!list.ok()) return Status(Code::kInval, fmt::format("{}: {}", key, list.status().message()));
  a.host = value;
  return Status::Ok();
}

bool ParseCount(const std::string& s, uint64_t max, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || v > max) return false;
  *out = v;
  return true;
}

// Options mount(8) reads from fstab and passes on; FUSE would refuse them.
bool MountOnlyOption(const std::string& key) {
  static constexpr std::string_view kDropped[] = {"_netdev", "defaults", "auto",   "noauto",
                                                  "nofail",  "user",     "users",  "nouser",
                                                  "owner",   "group",    "comment"};
  return key.rfind("x-", 0) == 0 ||
         std::find(std::begin(kDropped), std::end(kDropped), key) != std::end(kDropped);
}

Result<CacheMode> ParseCacheMode(const std::string& value) {
  std::string up;
  for (char c : value)
    up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "AUTO") return CacheMode::kAuto;
  if (up == "YES" || up == "ALWAYS") return CacheMode::kYes;
  if (up == "NO" || up == "NONE" || up == "NEVER") return CacheMode::kNo;
  if (up == "DIRECT") return CacheMode::kDirect;
  return BadValue("mfscachemode", value, "AUTO, YES, NO or DIRECT");
}

// The cache options; false when key is none of them.
Result<bool> ApplyCacheOption(const std::string& key, const std::string& value, MountArgs& a) {
  static constexpr std::string_view kSeconds = "a number of seconds (0-86400)";
  double* timeout = key == "mfsattrcacheto"       ? &a.attr_timeout
                    : key == "mfsentrycacheto"    ? &a.entry_timeout
                    : key == "mfsnegentrycacheto" ? &a.negentry_timeout
                    : key == "mfsdirentrycacheto" ? &a.direntry_timeout
                                                  : nullptr;
  if (timeout != nullptr) {
    if (!ParseSeconds(value, timeout)) return BadValue(key, value, kSeconds);
    return true;
  }
  if (key == "mfscachemode") {
    auto mode = ParseCacheMode(value);
    if (!mode.ok()) return mode.status();
    a.cache_mode = *mode;
    return true;
  }
  if (key == "mfscachefiles") {  // MooseFS 1.6's name for mfscachemode=YES
    a.cache_mode = CacheMode::kYes;
    return true;
  }
  uint64_t mib = 0;
  if (key == "mfswritecachesize" || key == "mfsreadaheadsize") {
    if (!ParseCount(value, 1u << 16, &mib)) return BadValue(key, value, "a size in MiB");
    if (key == "mfswritecachesize") a.write_cache_bytes = mib << 20;
    if (key == "mfsreadaheadsize") a.readahead_bytes = static_cast<uint32_t>(mib << 20);
    return true;
  }
  return false;
}

// MooseFS options ElkFS's mount has no feature for: accepted with a warning.
std::optional<std::string_view> WithoutFeature(const std::string& key) {
  if (key == "mfsdelayedinit") return "ignored; mfsmount connects to the master before mounting";
  if (key == "mfsmkdircopysgid") return "ignored; a new folder's set-group-id bit is the master's";
  if (key == "mfssugidclearmode") return "ignored; the master clears set-uid/set-gid bits itself";
  return std::nullopt;
}

// One option as -o takes it. `where`: "FILE:LINE: " for a config line, empty for -o.
Status ApplyOption(const std::string& key, const std::string& value, bool has_value,
                   const std::string& where, MountArgs& a) {
  auto need_value = [&]() -> Status {
    if (!has_value || value.empty()) return Status(Code::kInval, key + " needs a value");
    return Status::Ok();
  };
  auto cache = ApplyCacheOption(key, value, a);
  if (!cache.ok()) return cache.status();
  if (*cache) return Status::Ok();
  if (key == "mfsmaster") {
    ELK_RETURN_IF_ERROR(need_value());
    ELK_RETURN_IF_ERROR(SetMasters(key, value, a));
  } else if (key == "mfsport") {
    if (!ParsePort(value, &a.port)) return BadValue(key, value, "a port (1-65535)");
  } else if (key == "mfssubfolder") {
    ELK_RETURN_IF_ERROR(need_value());
    a.subfolder = value;
  } else if (key == "mfspassword" || key == "mfsmd5pass") {
    a.password = value;
    a.password_is_md5 = key == "mfsmd5pass";
  } else if (key == "mfsioretries") {
    uint64_t n = 0;
    if (!ParseCount(value, 1000, &n) || n == 0) return BadValue(key, value, "a count (1-1000)");
    a.io_retries = static_cast<int>(n);
  } else if (key == "mfsmeta") {
    if (has_value) return Status(Code::kInval, "mfsmeta takes no value");
    a.meta = true;
  } else if (key == "mfstrashbuckets") {
    if (has_value) return Status(Code::kInval, "mfstrashbuckets takes no value");
    a.trash_buckets = true;
  } else if (auto why = WithoutFeature(key)) {
    a.warnings.push_back(fmt::format("{}option '{}' {}", where, key, *why));
  } else if (key.rfind("mfs", 0) == 0) {
    a.warnings.push_back(fmt::format("{}unknown option '{}' ignored", where, key));
  } else if (key.empty()) {
    return Status(Code::kInval, "an option without a name");
  } else if (!MountOnlyOption(key)) {
    a.fuse_opts.push_back(has_value ? key + "=" + value : key);
  }
  return Status::Ok();
}

Status ApplyOptionList(const std::string& list, MountArgs& a) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const std::string opt =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? list.size() + 1 : comma + 1;
    if (opt.empty()) continue;
    const size_t eq = opt.find('=');
    ELK_RETURN_IF_ERROR(ApplyOption(opt.substr(0, eq),
                                    eq == std::string::npos ? "" : opt.substr(eq + 1),
                                    eq != std::string::npos, "", a));
  }
  return Status::Ok();
}

// The value of -c (the last one wins), or nullopt.
Result<std::optional<std::string>> FindConfigSwitch(const std::vector<std::string>& argv) {
  std::optional<std::string> file;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (s.rfind("-c", 0) != 0) continue;
    if (s.size() > 2) {
      file = s.substr(2);
    } else if (i + 1 < argv.size()) {
      file = argv[++i];
    } else {
      return Status(Code::kInval, "-c needs a file");
    }
  }
  return file;
}

Status ApplyCommandLine(const std::vector<std::string>& argv, MountArgs& a) {
  std::string mountpoint;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    auto value = [&](std::string* out) -> Status {
      if (s.size() > 2) {
        *out = s.substr(2);
        return Status::Ok();
      }
      if (i + 1 >= argv.size()) return Status(Code::kInval, s + " needs a value");
      *out = argv[++i];
      return Status::Ok();
    };
    std::string v;
    if (s.rfind("-H", 0) == 0) {
      ELK_RETURN_IF_ERROR(value(&v));
      ELK_RETURN_IF_ERROR(SetMasters("-H", v, a));
    } else if (s.rfind("-P", 0) == 0) {
      ELK_RETURN_IF_ERROR(value(&v));
      if (!ParsePort(v, &a.port)) return Status(Code::kInval, fmt::format("-P {}: not a port", v));
    } else if (s.rfind("-S", 0) == 0) {
      ELK_RETURN_IF_ERROR(value(&a.subfolder));
    } else if (s.rfind("-o", 0) == 0) {
      ELK_RETURN_IF_ERROR(value(&v));
      ELK_RETURN_IF_ERROR(ApplyOptionList(v, a));
    } else if (s.rfind("-c", 0) == 0) {
      ELK_RETURN_IF_ERROR(value(&v));  // read before the rest, see ParseMountArgs
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
      a.help = true;
    } else if (!s.empty() && s[0] != '-' && mountpoint.empty()) {
      mountpoint = s;
    } else {
      return Status(Code::kInval, fmt::format("unknown argument '{}'", s));
    }
  }
  if (!mountpoint.empty()) a.mountpoint = mountpoint;
  return Status::Ok();
}

}  // namespace

Status ApplyMountCfg(std::string_view text, const std::string& name, MountArgs& a) {
  Status result = Status::Ok();
  bool mountpoint_seen = false;
  cfg::ForEachContentLine(text, [&](size_t line, std::string_view content) {
    auto fail = [&](const std::string& why) {
      result = Status(Code::kBadConfig, fmt::format("{}:{}: {}", name, line, why));
      return false;
    };
    if (content.front() == '/') {
      if (mountpoint_seen) return fail("a second mount point");
      mountpoint_seen = true;
      a.mountpoint = std::string(content);
      return true;
    }
    const size_t eq = content.find('=');
    const std::string key(cfg::Trim(content.substr(0, eq)));
    const std::string value(eq == std::string_view::npos ? "" : cfg::Trim(content.substr(eq + 1)));
    // A comma would be a second option, as in -o (a password may hold one, and a list of
    // masters is written with commas).
    const bool commas = key == "mfspassword" || key == "mfsmd5pass" || key == "mfsmaster";
    if (key.find_first_of(" \t,") != std::string::npos ||
        (!commas && value.find(',') != std::string::npos)) {
      return fail(fmt::format("'{}': one option per line, as KEY = VALUE or KEY", content));
    }
    Status s = ApplyOption(key, value, eq != std::string_view::npos,
                           fmt::format("{}:{}: ", name, line), a);
    if (!s.ok()) return fail(s.message());
    return true;
  });
  return result;
}

Result<MountArgs> ParseMountArgs(const std::vector<std::string>& argv,
                                 std::string_view default_cfg) {
  MountArgs a;
  auto named = FindConfigSwitch(argv);
  if (!named.ok()) return named.status();
  const std::string file = named->value_or(std::string(default_cfg));
  if (!file.empty()) {
    auto text = cfg::ReadWholeFile(file);
    if (text.ok()) {
      ELK_RETURN_IF_ERROR(ApplyMountCfg(*text, file, a));
      a.config_file = file;
    } else if (named->has_value() || text.code() != Code::kNoEnt) {
      // A file asked for must be there; the default one may be missing, not unreadable.
      return text.status();
    }
  }
  ELK_RETURN_IF_ERROR(ApplyCommandLine(argv, a));
  if (a.mountpoint.empty() && !a.help) return Status(Code::kInval, "no mount point given");
  return a;
}

std::string DefaultMountCfg() {
  return std::string(kDefaultMountCfg);
}

std::vector<std::string> FuseMountOptions(const MountArgs& a, bool by_root) {
  std::vector<std::string> opts = a.fuse_opts;
  auto named = [&](std::string_view o) {
    return std::find(opts.begin(), opts.end(), o) != opts.end();
  };
  if (by_root && !named("allow_other") && !named("allow_root")) opts.emplace_back("allow_other");
  if (!a.meta && !named("default_permissions")) opts.emplace_back("default_permissions");
  return opts;
}

std::string MountUsage() {
  return fmt::format(
      "usage: mfsmount MOUNTPOINT [-c CFGFILE] [-H HOST[,HOST...]] [-P PORT] [-S SUBFOLDER] [-p] "
      "[-m] [-f] "
      "[-d] [-o opt[,opt...]]\n"
      "  mfs options: mfsmaster=HOST[ HOST...] mfsport=PORT mfssubfolder=PATH mfspassword=PASS\n"
      "               mfsattrcacheto=SEC mfsentrycacheto=SEC mfsnegentrycacheto=SEC\n"
      "               mfsdirentrycacheto=SEC mfscachemode=AUTO|YES|NO|DIRECT\n"
      "               mfswritecachesize=MiB mfsreadaheadsize=MiB mfsmd5pass=MD5\n"
      "               mfsioretries=N mfsmeta\n"
      "               mfstrashbuckets (with -m: trash in 4096 folders trash/XXX/ and\n"
      "               reserved files in sustained/, as MooseFS 3 shows them)\n"
      "  -c CFGFILE: defaults, one option per line (default {}, if it exists);\n"
      "              the command line overrides them\n"
      "  mounted by root, every user may enter (allow_other); -o allow_root narrows it to root\n",
      kDefaultMountCfg);
}

}  // namespace elk::mount
