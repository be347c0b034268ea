#pragma once
// The targets a portal offers: one IQN per exported volume, its LUN 0 and its CHAP
// credentials. Changed by the admin socket while sessions run; a session keeps the
// target it logged in to (shared) even when it is unexported meanwhile.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cinderdriver/iscsi/chap.h"
#include "cinderdriver/iscsi/scsi_lu.h"

namespace elk::iscsi {

struct Target {
  std::string iqn;
  std::shared_ptr<ScsiLu> lu;
  std::optional<ChapCredentials> chap;  // set: logins must authenticate
};

class TargetRegistry {
 public:
  void Add(std::shared_ptr<const Target> target) {
    std::lock_guard lock(mu_);
    targets_[target->iqn] = std::move(target);
  }
  bool Remove(const std::string& iqn) {
    std::lock_guard lock(mu_);
    return targets_.erase(iqn) > 0;
  }
  std::shared_ptr<const Target> Find(const std::string& iqn) const {
    std::lock_guard lock(mu_);
    auto it = targets_.find(iqn);
    return it == targets_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<const Target>> All() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<const Target>> out;
    for (const auto& [iqn, t] : targets_)
      out.push_back(t);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Target>> targets_;
};

}  // namespace elk::iscsi
