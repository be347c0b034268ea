#include "master/namespace/node.h"

namespace elk::master {

InodeId NodeTable::Allocate() {
  InodeId id;
  if (!free_.empty()) {
    id = free_.top();
    free_.pop();
  } else {
    id = high_water_++;
    if ((id >> kPageBits) >= pages_.size()) pages_.push_back(std::make_unique<Node[]>(kPageSize));
  }
  ++used_;
  return id;
}

Node* NodeTable::Place(InodeId id) {
  if (id == 0 || id < high_water_) return nullptr;
  while (high_water_ < id)
    free_.push(high_water_++);
  InodeId got = high_water_++;
  if ((got >> kPageBits) >= pages_.size()) pages_.resize((got >> kPageBits) + 1);
  for (auto& page : pages_) {
    if (!page) page = std::make_unique<Node[]>(kPageSize);
  }
  ++used_;
  return &At(got);
}

void NodeTable::Free(InodeId id) {
  pages_[id >> kPageBits][id & (kPageSize - 1)] = Node{};
  free_.push(id);
  --used_;
}

}  // namespace elk::master
