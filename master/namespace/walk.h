#pragma once
// Namespace::Walk: every node of a tree, with an explicit stack, so a tree of any depth is
// walked without recursion. Included by the .cc files that walk trees.

#include <string_view>
#include <vector>

#include "master/namespace/namespace.h"

namespace elk::master {

template <typename Fn>
void Namespace::Walk(InodeId top, Fn&& fn) const {
  std::vector<InodeId> stack{top};
  while (!stack.empty()) {
    InodeId id = stack.back();
    stack.pop_back();
    const Node& node = nodes_.At(id);
    fn(id, node);
    if (node.is_dir()) {
      DirOf(id).ForEach([&stack](std::string_view, InodeId child) { stack.push_back(child); });
    }
  }
}

}  // namespace elk::master
