// Sessions across a fail-over (docs/failover.md): a follower replays its leader's OPEN and
// OPENS records, so it knows which sessions hold which files, but not the sessions
// themselves (a registration is not a metadata change). At promotion, each session that
// holds files open is adopted: kept in the table, without address or folder, for its
// owner to resume - checked then as a new mount of the folder it names - and given the
// locks grace period to reclaim its locks. A session nobody resumes expires as any other
// (SESSION_SUSTAIN_TIME), closing its files.

#include <set>

#include "common/log/log.h"
#include "master/server/master_server.h"

namespace elk::master {

void MasterServer::AdoptFollowedSessions() {
  std::set<uint32_t> adopted;
  for (uint32_t id : meta_->ns().SessionsWithOpens()) {
    if (sessions_.Adopt(id, Now())) adopted.insert(id);
  }
  if (adopted.empty()) return;
  log::Info(
      "mfsmaster: {} sessions with open files adopted from the old leader's records; "
      "their clients resume them",
      adopted.size());
  // Locks live in memory only: the adopted sessions reclaim theirs first, as after a restart.
  locks_->StartGrace(std::move(adopted));
}

}  // namespace elk::master
