#pragma once
// The process-wide settings every server's config carries, as MooseFS has them:
// FILE_UMASK, NICE_LEVEL, LOCK_MEMORY, WORKING_USER and WORKING_GROUP.

#include "common/cfg/config_file.h"
#include "common/cfg/schema.h"
#include "common/status.h"

namespace elk::daemon {

// The keys RunDaemon adds to every server's schema. program names the SYSLOG_IDENT default.
cfg::Schema CommonDaemonKeys(std::string_view program);

// Applies umask, nice level and memory locking (failures of the last two are warnings, as
// in MooseFS), then, when running as root, switches to WORKING_USER/WORKING_GROUP if that
// user exists. A failed switch is an error: running as root by mistake is worse than not
// running.
Status ApplyProcessSettings(const cfg::ConfigFile& cfg);

}  // namespace elk::daemon
