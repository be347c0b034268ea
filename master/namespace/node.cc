#include "master/namespace/node.h"

#include <algorithm>
#include <unordered_set>

namespace elk::master {

InodeId NodeTable::Allocate(uint32_t now) {
  // Cooled numbers become free. Times that run backwards only keep a number longer.
  while (!cooling_.empty() && uint64_t{cooling_.front().second} + kReuseDelay <= now) {
    AddFree(cooling_.front().first, cooling_.front().first + 1);
    cooling_.pop_front();
  }
  InodeId id;
  if (!free_.empty()) {
    id = free_.begin()->first;
    TakeFree(id);
  } else {
    id = high_water_++;
  }
  AddPageFor(id);
  ++used_;
  return id;
}

void NodeTable::AddPageFor(InodeId id) {
  const size_t page = id >> kPageBits;
  if (page >= pages_.size()) pages_.resize(page + 1);
  if (pages_[page] == nullptr) {
    pages_[page] = std::make_unique<Node[]>(kPageSize);
    ++pages_allocated_;
  }
}

void NodeTable::AddFree(InodeId first, InodeId end) {
  auto next = free_.lower_bound(first);
  if (next != free_.end() && next->first == end) {  // joins the range after it
    end = next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->second == first) {  // joins the range before it
      prev->second = end;
      return;
    }
  }
  free_.emplace(first, end);
}

bool NodeTable::TakeFree(InodeId id) {
  auto it = free_.upper_bound(id);
  if (it == free_.begin()) return false;
  --it;
  const auto [first, end] = *it;
  if (id >= end) return false;
  free_.erase(it);
  if (first < id) free_.emplace(first, id);
  if (id + 1 < end) free_.emplace(id + 1, end);
  return true;
}

void NodeTable::FreeBelow(InodeId end) {
  if (end <= high_water_) return;
  AddFree(high_water_, end);
  high_water_ = end;
}

Node* NodeTable::Place(InodeId id) {
  if (id == 0 || id < high_water_) return nullptr;
  FreeBelow(id);
  InodeId got = high_water_++;
  AddPageFor(got);
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
  for (InodeId id : ids)
    TakeFree(id);
  cooling_.assign(cooling.begin(), cooling.end());
  return true;
}

}  // namespace elk::master
