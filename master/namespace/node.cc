#include "master/namespace/node.h"

#include <algorithm>
#include <unordered_set>

namespace elk::master {

InodeId NodeTable::Allocate(uint32_t now) {
  // Cooled numbers become free. Times that run backwards only keep a number longer.
  while (!cooling_.empty() && uint64_t{cooling_.front().second} + kReuseDelay <= now) {
    free_.push(cooling_.front().first);
    cooling_.pop_front();
  }
  InodeId id;
  if (!free_.empty()) {
    id = free_.top();
    free_.pop();
  } else {
    id = high_water_++;
    AddPagesFor(id);
  }
  ++used_;
  return id;
}

void NodeTable::AddPagesFor(InodeId id) {
  while ((id >> kPageBits) >= pages_.size())
    pages_.push_back(std::make_unique<Node[]>(kPageSize));
}

void NodeTable::FreeBelow(InodeId end) {
  if (end <= high_water_) return;
  AddPagesFor(end - 1);
  while (high_water_ < end)
    free_.push(high_water_++);
}

Node* NodeTable::Place(InodeId id) {
  if (id == 0 || id < high_water_) return nullptr;
  FreeBelow(id);
  InodeId got = high_water_++;
  AddPagesFor(got);
  ++used_;
  return &At(got);
}

void NodeTable::Free(InodeId id, uint32_t now) {
  pages_[id >> kPageBits][id & (kPageSize - 1)] = Node{};
  cooling_.emplace_back(id, now);
  --used_;
}

bool NodeTable::RestoreCooling(std::vector<std::pair<InodeId, uint32_t>> cooling) {
  std::unordered_set<InodeId> ids;
  InodeId top = 0;
  for (const auto& [id, at] : cooling) {
    if (id == 0 || Get(id) != nullptr || !ids.insert(id).second) return false;
    top = std::max(top, id);
  }
  FreeBelow(top + 1);  // the newest numbers may have been freed last
  std::vector<InodeId> still_free;
  for (; !free_.empty(); free_.pop())
    if (ids.count(free_.top()) == 0) still_free.push_back(free_.top());
  for (InodeId id : still_free)
    free_.push(id);
  cooling_.assign(cooling.begin(), cooling.end());
  return true;
}

}  // namespace elk::master
