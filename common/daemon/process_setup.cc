#include "common/daemon/process_setup.h"

#include <grp.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/cfg/id_resolver.h"
#include "common/log/log.h"

namespace elk::daemon {

cfg::Schema CommonDaemonKeys(std::string_view program) {
  return cfg::Schema{
      cfg::Key::String("DATA_PATH", "/var/lib/mfs"),
      cfg::Key::String("SYSLOG_IDENT", std::string(program)),
      cfg::Key::Bool("LOCK_MEMORY", false),
      cfg::Key::Integer("NICE_LEVEL", -19, -20, 19),
      cfg::Key::String("WORKING_USER", "mfs"),
      cfg::Key::String("WORKING_GROUP", ""),
      cfg::Key::Mode("FILE_UMASK", 027),
  };
}

namespace {

Status SwitchUser(const cfg::ConfigFile& cfg) {
  if (geteuid() != 0) return Status::Ok();
  std::string user = cfg.GetString("WORKING_USER");
  std::string group = cfg.GetString("WORKING_GROUP");
  auto ids = cfg::SystemIdResolver().user_by_name(user);
  if (!ids) {
    log::Warning("WORKING_USER {} does not exist; staying root", user);
    return Status::Ok();
  }
  gid_t gid = ids->gid;
  if (!group.empty()) {
    auto g = cfg::SystemIdResolver().group_by_name(group);
    if (!g) return Status(Code::kBadConfig, "WORKING_GROUP " + group + " does not exist");
    gid = *g;
  }
  if (ids->uid == 0 && gid == 0) return Status::Ok();
  if (setgroups(1, &gid) != 0) return Status::FromErrno(errno, "setgroups");
  if (setgid(gid) != 0) return Status::FromErrno(errno, "setgid");
  if (setuid(ids->uid) != 0) return Status::FromErrno(errno, "setuid");
  log::Info("running as {}:{} ({}:{})", user, group.empty() ? "(primary)" : group, ids->uid, gid);
  return Status::Ok();
}

}  // namespace

Status ApplyProcessSettings(const cfg::ConfigFile& cfg) {
  umask(static_cast<mode_t>(cfg.GetMode("FILE_UMASK")));
  auto nice_level = static_cast<int>(cfg.GetInteger("NICE_LEVEL"));
  errno = 0;
  int current = getpriority(PRIO_PROCESS, 0);
  if (errno == 0 && current != nice_level && setpriority(PRIO_PROCESS, 0, nice_level) != 0)
    log::Warning("can't set nice level to {} (errno {})", nice_level, errno);
  if (cfg.GetBool("LOCK_MEMORY") && mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
    log::Warning("LOCK_MEMORY: mlockall failed (errno {})", errno);
  return SwitchUser(cfg);
}

}  // namespace elk::daemon
