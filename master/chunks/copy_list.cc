#include "master/chunks/copy_list.h"

#include <algorithm>
#include <utility>

namespace elk::master {

CopyList& CopyList::operator=(CopyList&& other) noexcept {
  if (this == &other) return *this;
  inline_ = std::exchange(other.inline_, {});
  spilled_ = std::move(other.spilled_);
  return *this;
}

uint32_t CopyList::size() const {
  if (spilled_) return static_cast<uint32_t>(spilled_->size());
  uint32_t n = 0;
  while (n < kInline && inline_[n].server != kNoServer)
    ++n;
  return n;
}

Copy* CopyList::Find(ServerId server) {
  for (Copy& c : view()) {
    if (c.server == server) return &c;
  }
  return nullptr;
}

const Copy* CopyList::Find(ServerId server) const {
  for (const Copy& c : view()) {
    if (c.server == server) return &c;
  }
  return nullptr;
}

void CopyList::Add(const Copy& copy) {
  if (copy.server == kNoServer) return;
  if (spilled_) {
    spilled_->push_back(copy);
    return;
  }
  const uint32_t n = size();
  if (n < kInline) {
    inline_[n] = copy;
    return;
  }
  spilled_ = std::make_unique<std::vector<Copy>>(inline_.begin(), inline_.end());
  spilled_->push_back(copy);
  inline_ = {};
}

bool CopyList::Remove(ServerId server) {
  if (server == kNoServer) return false;
  if (spilled_) {
    auto it = std::find_if(spilled_->begin(), spilled_->end(),
                           [server](const Copy& c) { return c.server == server; });
    if (it == spilled_->end()) return false;
    spilled_->erase(it);
    if (spilled_->size() <= kInline) {  // back inline: the heap block is freed
      std::copy(spilled_->begin(), spilled_->end(), inline_.begin());
      spilled_.reset();
    }
    return true;
  }
  auto end = inline_.begin() + size();
  auto it =
      std::find_if(inline_.begin(), end, [server](const Copy& c) { return c.server == server; });
  if (it == end) return false;
  std::copy(it + 1, end, it);
  *(end - 1) = Copy{};
  return true;
}

void CopyList::Clear() {
  spilled_.reset();
  inline_ = {};
}

}  // namespace elk::master
