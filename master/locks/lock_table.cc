#include "master/locks/lock_table.h"

#include <algorithm>

namespace elk::master::locks {

std::optional<Held> LockTable::FirstConflict(const File& f, const Request& r) {
  std::optional<Held> best;
  for (const auto& [owner, locks] : Of(f, r.kind)) {
    if (owner == r.owner) continue;
    const LockRange* c = locks.ranges.FirstConflict(r.start, r.end, r.type);
    if (c != nullptr && (!best || c->start < best->range.start))
      best = Held{r.inode, r.kind, owner, locks.pid, *c};
  }
  return best;
}

void LockTable::Apply(File& f, const Request& r) {
  auto& owners = Of(f, r.kind);
  if (r.type == LockType::kUnlock) {
    auto it = owners.find(r.owner);
    if (it == owners.end()) return;
    it->second.ranges.Apply(r.start, r.end, r.type);
    if (it->second.ranges.empty()) owners.erase(it);
    return;
  }
  OwnerLocks& mine = owners[r.owner];
  mine.ranges.Apply(r.start, r.end, r.type);
  mine.pid = r.pid;
}

void LockTable::Wake(uint32_t inode, Granted& granted) {
  auto it = files_.find(inode);
  if (it == files_.end()) return;
  File& f = it->second;
  for (auto w = f.waiters.begin(); w != f.waiters.end();) {
    if (FirstConflict(f, w->req)) {
      ++w;
      continue;
    }
    Apply(f, w->req);
    granted.push_back(w->id);
    waiting_.erase(w->id);
    w = f.waiters.erase(w);
  }
  ForgetIfEmpty(inode);
}

void LockTable::ForgetIfEmpty(uint32_t inode) {
  auto it = files_.find(inode);
  if (it != files_.end() && it->second.empty()) files_.erase(it);
}

Result<Outcome> LockTable::Lock(const Request& r, uint64_t wait_id, Granted& granted) {
  File& f = files_[r.inode];
  if (r.type == LockType::kUnlock) {
    Apply(f, r);
    Wake(r.inode, granted);
    return Outcome::kGranted;
  }
  if (r.kind == LockKind::kFlock) {
    auto& owners = Of(f, r.kind);
    auto mine = owners.find(r.owner);
    if (mine != owners.end()) {
      if (mine->second.ranges.Covers(r.start, r.end, r.type)) return Outcome::kGranted;
      // A conversion is not atomic in Linux: the old lock goes first, waiters may take it.
      owners.erase(mine);
      Wake(r.inode, granted);
    }
  }
  File& file = files_[r.inode];  // Wake may have forgotten an empty file
  if (!FirstConflict(file, r)) {
    Apply(file, r);
    Wake(r.inode, granted);  // a POSIX lock made shared may let readers through
    return Outcome::kGranted;
  }
  if (wait_id == 0) {
    ForgetIfEmpty(r.inode);
    return Status(Code::kAgain, "locked by another owner");
  }
  if (r.kind == LockKind::kPosix && WouldDeadlock(r)) {
    ForgetIfEmpty(r.inode);
    return Status(Code::kDeadlock, "waiting would deadlock");
  }
  file.waiters.push_back({wait_id, r});
  waiting_[wait_id] = r.inode;
  return Outcome::kQueued;
}

std::optional<Held> LockTable::Test(const Request& r) const {
  auto it = files_.find(r.inode);
  if (it == files_.end()) return std::nullopt;
  return FirstConflict(it->second, r);
}

bool LockTable::Cancel(uint64_t wait_id) {
  auto w = waiting_.find(wait_id);
  if (w == waiting_.end()) return false;
  const uint32_t inode = w->second;
  waiting_.erase(w);
  File& f = files_[inode];
  f.waiters.remove_if([&](const Waiter& x) { return x.id == wait_id; });
  ForgetIfEmpty(inode);
  return true;
}

void LockTable::ReleaseOwner(uint32_t inode, LockKind kind, const Owner& owner, Granted& granted) {
  auto it = files_.find(inode);
  if (it == files_.end()) return;
  if (Of(it->second, kind).erase(owner) == 0) return;
  Wake(inode, granted);
}

std::vector<uint64_t> LockTable::DropSession(uint32_t session, Granted& granted) {
  std::vector<uint64_t> removed;
  std::vector<uint32_t> touched;
  for (auto& [inode, f] : files_) {
    size_t gone = 0;
    for (auto& owners : f.held)
      gone += std::erase_if(owners, [&](const auto& kv) { return kv.first.session == session; });
    gone += std::erase_if(f.waiters, [&](const Waiter& w) {
      if (w.req.owner.session != session) return false;
      removed.push_back(w.id);
      waiting_.erase(w.id);
      return true;
    });
    if (gone > 0) touched.push_back(inode);
  }
  for (uint32_t inode : touched)
    Wake(inode, granted);
  return removed;
}

std::vector<uint32_t> LockTable::Reclaim(uint32_t session,
                                         const std::vector<protocol::HeldLock>& claims, bool grace,
                                         Granted& granted) {
  // What the session held, set aside: outside the grace period a claim must be part of it.
  std::map<std::tuple<uint32_t, LockKind, uint64_t>, RangeSet> before;
  std::set<uint32_t> touched;
  for (auto& [inode, f] : files_) {
    for (size_t k = 0; k < 2; ++k) {
      std::erase_if(f.held[k], [&](const auto& kv) {
        if (kv.first.session != session) return false;
        before[{inode, static_cast<LockKind>(k), kv.first.id}] = kv.second.ranges;
        touched.insert(inode);
        return true;
      });
    }
  }
  std::vector<uint32_t> lost;
  for (uint32_t i = 0; i < claims.size(); ++i) {
    const protocol::HeldLock& c = claims[i];
    const Request r{c.inode, c.kind, Owner{session, c.owner}, c.pid, c.start, c.end, c.type};
    bool keep = c.type != LockType::kUnlock && c.start <= c.end && c.inode != 0;
    if (keep && grace) {
      keep = !Test(r).has_value();
    } else if (keep) {
      auto it = before.find({c.inode, c.kind, c.owner});
      keep = it != before.end() && it->second.Covers(c.start, c.end, c.type);
    }
    if (!keep) {
      lost.push_back(i);
      continue;
    }
    Apply(files_[c.inode], r);
    touched.insert(c.inode);
  }
  for (uint32_t inode : touched)
    Wake(inode, granted);
  return lost;
}

std::set<Owner> LockTable::Blockers(const Request& r) const {
  std::set<Owner> out;
  auto it = files_.find(r.inode);
  if (it == files_.end()) return out;
  for (const auto& [owner, locks] : Of(it->second, r.kind)) {
    if (owner != r.owner && locks.ranges.FirstConflict(r.start, r.end, r.type) != nullptr)
      out.insert(owner);
  }
  return out;
}

// A cycle through the owners `r` would wait for: each of them waiting (for any file) on a
// lock of an owner that waits in turn, back to r's owner. Linux follows one blocker per
// step; following all of them finds every cycle, each owner visited once.
bool LockTable::WouldDeadlock(const Request& r) const {
  std::vector<Owner> stack;
  for (const Owner& o : Blockers(r))
    stack.push_back(o);
  std::set<Owner> seen(stack.begin(), stack.end());
  while (!stack.empty()) {
    const Owner o = stack.back();
    stack.pop_back();
    if (o == r.owner) return true;
    for (const auto& [inode, f] : files_) {
      for (const Waiter& w : f.waiters) {
        if (w.req.owner != o || w.req.kind != LockKind::kPosix) continue;
        for (const Owner& next : Blockers(w.req)) {
          if (seen.insert(next).second) stack.push_back(next);
        }
      }
    }
  }
  return false;
}

std::vector<Held> LockTable::AllHeld() const {
  std::vector<Held> out;
  for (const auto& [inode, f] : files_) {
    for (size_t k = 0; k < 2; ++k) {
      for (const auto& [owner, locks] : f.held[k]) {
        for (const LockRange& range : locks.ranges.ranges())
          out.push_back({inode, static_cast<LockKind>(k), owner, locks.pid, range});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Held& a, const Held& b) {
    return std::tie(a.inode, a.kind, a.range.start, a.owner) <
           std::tie(b.inode, b.kind, b.range.start, b.owner);
  });
  return out;
}

std::vector<std::pair<uint64_t, Request>> LockTable::AllWaiting() const {
  std::vector<std::pair<uint64_t, Request>> out;
  for (const auto& [inode, f] : files_) {
    for (const Waiter& w : f.waiters)
      out.emplace_back(w.id, w.req);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::set<uint32_t> LockTable::Sessions() const {
  std::set<uint32_t> out;
  for (const auto& [inode, f] : files_) {
    for (const auto& owners : f.held) {
      for (const auto& [owner, locks] : owners)
        out.insert(owner.session);
    }
    for (const Waiter& w : f.waiters)
      out.insert(w.req.owner.session);
  }
  return out;
}

}  // namespace elk::master::locks
