#pragma once
// Client sessions: who mounted what, under which export rule. A session outlives its TCP
// connection - a client that reconnects (after a network blip or a master restart) presents
// its session id and carries on - so the table is saved to `sessions.mfs` and loaded at start.
// A session's rule is looked up again from the exports in force each time it (re)connects, so
// a reload of mfsexports.cfg applies to everyone.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/cfg/exports_file.h"
#include "common/status.h"
#include "master/namespace/types.h"
#include "master/sessions/password.h"

namespace elk::master {

struct Session {
  uint32_t id = 0;
  uint32_t ip = 0;
  std::string folder;  // the exported folder mounted: "/", "/sub/dir", or "." (meta)
  std::string info;    // what the client says of itself (host, mount point), for the monitor
  uint32_t created = 0;
  uint32_t last_seen = 0;
  cfg::ExportRule rule;  // the export in force, refreshed at each (re)connect
  // Known only by the files it holds open (a promoted follower saw its OPEN records, not its
  // registration): address and folder come from the first resume, checked as a new mount.
  bool adopted = false;

  bool meta() const { return folder == "."; }
};

// What a client must show to mount: its address, the folder, and (for a password-protected
// export) the answer to the challenge it was given.
struct MountRequest {
  uint32_t ip = 0;
  std::string folder;
  std::string info;
  std::optional<Challenge> challenge;  // the one the master sent, if any
  std::span<const uint8_t> answer;     // the client's answer (empty: none)
  // A tool joining a live session (mfsgetgoal and friends, through the mount's
  // .masterinfo): from the session's own address it needs no password - the mount proved
  // it when the session was opened.
  bool tool_join = false;
};

class SessionTable {
 public:
  // Checks the request against the rules (address, folder, password) and opens a session.
  // kAccess when no rule matches, kNoPassword when the rule wants a password and none came,
  // kBadPassword when the answer is wrong.
  Result<const Session*> Open(const std::vector<cfg::ExportRule>& rules, const MountRequest& req,
                              uint32_t now);
  // A client coming back with its session id: the same checks, the same session.
  Result<const Session*> Resume(uint32_t id, const std::vector<cfg::ExportRule>& rules,
                                const MountRequest& req, uint32_t now);
  // Does the export of (ip, folder) want a password? (The master then sends a challenge.)
  static bool NeedsPassword(const std::vector<cfg::ExportRule>& rules, uint32_t ip,
                            std::string_view folder);

  // A session the metadata knows (it holds open files) but this table may not: kept for its
  // owner to resume (docs/failover.md, "Sessions across a fail-over"), replacing an entry of
  // the same id (a promoted follower's own, from before it followed). False for id 0.
  bool Adopt(uint32_t id, uint32_t now);

  const Session* Find(uint32_t id) const;
  void Touch(uint32_t id, uint32_t now);
  void Close(uint32_t id);
  // Drops sessions not seen for `timeout` seconds; returns their ids (their open files close).
  std::vector<uint32_t> Expire(uint32_t now, uint32_t timeout);
  size_t size() const { return sessions_.size(); }
  std::vector<const Session*> All() const;

  // sessions.mfs: one text line per session. Rules are not stored: Load re-finds them.
  std::string Serialize() const;
  Status Load(std::string_view text, const std::vector<cfg::ExportRule>& rules);

 private:
  Result<cfg::ExportRule> Authorize(const std::vector<cfg::ExportRule>& rules,
                                    const MountRequest& req, bool check_password = true) const;

  std::map<uint32_t, Session> sessions_;
  uint32_t next_id_ = 1;
};

// The credentials a request runs with after the export's maproot/mapall.
Cred MapCredentials(const cfg::ExportOptions& options, Cred cred);

// Export limits on what a session may do.
Status CheckWritable(const cfg::ExportOptions& options);  // kReadOnly on a read-only export
Status CheckGoal(const cfg::ExportOptions& options, uint32_t goal);            // kPerm outside
Status CheckTrashTime(const cfg::ExportOptions& options, uint32_t trashtime);  // kPerm outside

}  // namespace elk::master
