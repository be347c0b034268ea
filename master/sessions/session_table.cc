#include "master/sessions/session_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/changelog/record.h"

namespace elk::master {

bool SessionTable::NeedsPassword(const std::vector<cfg::ExportRule>& rules, uint32_t ip,
                                 std::string_view folder) {
  const cfg::ExportRule* rule = cfg::FindExport(rules, ip, folder);
  return rule != nullptr && rule->options.password_md5.has_value();
}

Result<cfg::ExportRule> SessionTable::Authorize(const std::vector<cfg::ExportRule>& rules,
                                                const MountRequest& req,
                                                bool check_password) const {
  const cfg::ExportRule* rule = cfg::FindExport(rules, req.ip, req.folder);
  if (rule == nullptr) {
    return Status(Code::kAccess,
                  fmt::format("no export allows {} to mount '{}'",
                              fmt::format("{}.{}.{}.{}", req.ip >> 24, (req.ip >> 16) & 255,
                                          (req.ip >> 8) & 255, req.ip & 255),
                              req.folder));
  }
  if (rule->options.password_md5 && check_password) {
    if (!req.challenge || req.answer.empty()) {
      return Status(Code::kNoPassword, "this export wants a password");
    }
    if (!VerifyAnswer(*rule->options.password_md5, *req.challenge, req.answer)) {
      return Status(Code::kBadPassword, "wrong password");
    }
  }
  return *rule;
}

Result<const Session*> SessionTable::Open(const std::vector<cfg::ExportRule>& rules,
                                          const MountRequest& req, uint32_t now) {
  auto rule = Authorize(rules, req);
  if (!rule.ok()) return rule.status();
  uint32_t id = next_id_++;
  Session& s = sessions_[id];
  s.id = id;
  s.ip = req.ip;
  s.folder = req.folder;
  s.info = req.info;
  s.created = now;
  s.last_seen = now;
  s.rule = std::move(*rule);
  return &s;
}

Result<const Session*> SessionTable::Resume(uint32_t id, const std::vector<cfg::ExportRule>& rules,
                                            const MountRequest& req, uint32_t now) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return Status(Code::kBadSession, fmt::format("no session {}", id));
  Session& s = it->second;
  if (s.adopted) {
    // Its owner first: a tool joins a session its mount has resumed.
    if (req.tool_join) return Status(Code::kBadSession, "session not resumed by its owner yet");
    auto rule = Authorize(rules, req);
    if (!rule.ok()) return rule.status();
    s.adopted = false;
    s.folder = req.folder;
    s.info = req.info;
    s.ip = req.ip;
    s.last_seen = now;
    s.rule = std::move(*rule);
    return &s;
  }
  if (s.folder != req.folder) return Status(Code::kBadSession, "session is for another folder");
  const bool proven = req.tool_join && s.ip == req.ip;
  auto rule = Authorize(rules, req, /*check_password=*/!proven);
  if (!rule.ok()) return rule.status();
  if (s.ip != req.ip && !rule->options.dynamicip) {
    return Status(Code::kBadSession, "session belongs to another address (no dynamicip)");
  }
  s.ip = req.ip;
  s.last_seen = now;
  s.rule = std::move(*rule);
  return &s;
}

bool SessionTable::Adopt(uint32_t id, uint32_t now) {
  if (id == 0) return false;
  // A session of the same id in the table is this master's own, from before it followed:
  // the records it replayed since say the id is another client's now.
  Session& s = sessions_[id];
  s = Session{};
  s.id = id;
  s.created = now;
  s.last_seen = now;
  s.adopted = true;
  next_id_ = std::max(next_id_, id + 1);
  return true;
}

const Session* SessionTable::Find(uint32_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTable::Touch(uint32_t id, uint32_t now) {
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second.last_seen = now;
}

void SessionTable::Close(uint32_t id) {
  sessions_.erase(id);
}

std::vector<uint32_t> SessionTable::Expire(uint32_t now, uint32_t timeout) {
  std::vector<uint32_t> gone;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_seen > timeout) {
      gone.push_back(it->first);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

std::vector<const Session*> SessionTable::All() const {
  std::vector<const Session*> out;
  for (const auto& [id, s] : sessions_)
    out.push_back(&s);
  return out;
}

std::string SessionTable::Serialize() const {
  std::string out = fmt::format("next {}\n", next_id_);
  for (const auto& [id, s] : sessions_) {
    // An adopted session has no address or folder to keep until its owner is back.
    if (s.adopted) continue;
    out += fmt::format("session {} {} {} {} {} {}\n", id, s.ip, s.created, s.last_seen,
                       changelog::EscapeString(s.folder), changelog::EscapeString(s.info));
  }
  return out;
}

Status SessionTable::Load(std::string_view text, const std::vector<cfg::ExportRule>& rules) {
  std::map<uint32_t, Session> loaded;
  uint32_t next = 1;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int n = 1; std::getline(in, line); n++) {
    std::istringstream f(line);
    std::string kind, folder, info;
    Session s;
    f >> kind;
    if (kind == "next" && (f >> next)) continue;
    if (kind != "session" || !(f >> s.id >> s.ip >> s.created >> s.last_seen >> folder)) {
      return Status(Code::kCorruption, fmt::format("sessions.mfs:{}: bad line", n));
    }
    f >> info;  // may be empty
    auto uf = changelog::UnescapeString(folder);
    auto ui = changelog::UnescapeString(info);
    if (!uf.ok() || !ui.ok()) return Status(Code::kCorruption, fmt::format("sessions.mfs:{}", n));
    s.folder = *uf;
    s.info = *ui;
    next = std::max(next, s.id + 1);
    // A session whose export is gone is dropped: the client will be refused on reconnect.
    if (const cfg::ExportRule* r = cfg::FindExport(rules, s.ip, s.folder)) {
      s.rule = *r;
      loaded[s.id] = std::move(s);
    }
  }
  sessions_ = std::move(loaded);
  next_id_ = next;
  return Status::Ok();
}

Cred MapCredentials(const cfg::ExportOptions& options, Cred cred) {
  if (options.mapall) {
    cred.uid = options.mapall->uid;
    cred.gid = options.mapall->gid;
    cred.groups.clear();
  } else if (cred.uid == 0) {
    cred.uid = options.maproot.uid;
    cred.gid = options.maproot.gid;
    cred.groups.clear();
  }
  cred.ignoregid = options.ignoregid;
  return cred;
}

Status CheckWritable(const cfg::ExportOptions& options) {
  return options.readonly ? Status(Code::kReadOnly, "read-only export") : Status::Ok();
}

Status CheckGoal(const cfg::ExportOptions& options, uint32_t goal) {
  if (goal < options.mingoal || goal > options.maxgoal) {
    return Status(Code::kPerm, fmt::format("goal {} is outside this export's {}..{}", goal,
                                           options.mingoal, options.maxgoal));
  }
  return Status::Ok();
}

Status CheckTrashTime(const cfg::ExportOptions& options, uint32_t trashtime) {
  if (trashtime < options.mintrashtime || trashtime > options.maxtrashtime) {
    return Status(Code::kPerm, fmt::format("trash time {} is outside this export's {}..{}",
                                           trashtime, options.mintrashtime, options.maxtrashtime));
  }
  return Status::Ok();
}

}  // namespace elk::master
