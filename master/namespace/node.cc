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

void NodeTable::Free(InodeId id) {
  pages_[id >> kPageBits][id & (kPageSize - 1)] = Node{};
  free_.push(id);
  --used_;
}

}  // namespace elk::master
