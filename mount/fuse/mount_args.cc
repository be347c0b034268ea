#include "mount/fuse/mount_args.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "common/cfg/file_read.h"
#include "common/cfg/text_util.h"

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

// One option as -o takes it. `strict`: unknown mfs* options are errors (the config file),
// not warnings (the command line, as before).
Status ApplyOption(const std::string& key, const std::string& value, bool has_value, bool strict,
                   MountArgs& a) {
  auto need_value = [&]() -> Status {
    if (!has_value || value.empty()) return Status(Code::kInval, key + " needs a value");
    return Status::Ok();
  };
  if (key == "mfsmaster") {
    ELK_RETURN_IF_ERROR(need_value());
    a.host = value;
  } else if (key == "mfsport") {
    if (!ParsePort(value, &a.port)) {
      return Status(Code::kInval, fmt::format("mfsport: '{}' is not a port (1-65535)", value));
    }
  } else if (key == "mfssubfolder") {
    ELK_RETURN_IF_ERROR(need_value());
    a.subfolder = value;
  } else if (key == "mfspassword") {
    a.password = value;
  } else if (key == "mfsattrcacheto" || key == "mfsentrycacheto") {
    double* to = key == "mfsattrcacheto" ? &a.attr_timeout : &a.entry_timeout;
    if (!ParseSeconds(value, to)) {
      return Status(Code::kInval,
                    fmt::format("{}: '{}' is not a number of seconds (0-86400)", key, value));
    }
  } else if (key == "mfsmeta") {
    if (has_value) return Status(Code::kInval, "mfsmeta takes no value");
    a.meta = true;
  } else if (key == "mfstrashbuckets") {
    if (has_value) return Status(Code::kInval, "mfstrashbuckets takes no value");
    a.trash_buckets = true;
  } else if (key.rfind("mfs", 0) == 0) {
    if (strict) return Status(Code::kInval, fmt::format("unknown option '{}'", key));
    a.warnings.push_back(fmt::format("option '{}' ignored", key));
  } else if (key.empty()) {
    return Status(Code::kInval, "an option without a name");
  } else {
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
                                    eq != std::string::npos, /*strict=*/false, a));
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
      ELK_RETURN_IF_ERROR(value(&a.host));
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
    // A comma would be a second option, as in -o (a password may hold one).
    if (key.find_first_of(" \t,") != std::string::npos ||
        (key != "mfspassword" && value.find(',') != std::string::npos)) {
      return fail(fmt::format("'{}': one option per line, as KEY = VALUE or KEY", content));
    }
    Status s = ApplyOption(key, value, eq != std::string_view::npos, /*strict=*/true, a);
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
  if (::access(std::string(kMooseFsMountCfg).c_str(), F_OK) != 0 &&
      ::access(std::string(kDefaultMountCfg).c_str(), F_OK) == 0) {
    return std::string(kDefaultMountCfg);
  }
  return std::string(kMooseFsMountCfg);
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
      "usage: mfsmount MOUNTPOINT [-c CFGFILE] [-H HOST] [-P PORT] [-S SUBFOLDER] [-p] [-m] [-f] "
      "[-d] [-o opt[,opt...]]\n"
      "  mfs options: mfsmaster=HOST mfsport=PORT mfssubfolder=PATH mfspassword=PASS\n"
      "               mfsattrcacheto=SEC mfsentrycacheto=SEC mfsmeta\n"
      "               mfstrashbuckets (with -m: trash in 4096 folders trash/XXX/ and\n"
      "               reserved files in sustained/, as MooseFS 3 shows them)\n"
      "  -c CFGFILE: defaults, one option per line (default {} or {}, if one exists);\n"
      "              the command line overrides them\n"
      "  mounted by root, every user may enter (allow_other); -o allow_root narrows it to root\n",
      kMooseFsMountCfg, kDefaultMountCfg);
}

}  // namespace elk::mount
