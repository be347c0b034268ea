#pragma once
// Shared fixture for the namespace tests: a namespace at time 1000 and a few users.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "master/namespace/namespace.h"

namespace elk::master {

// Avoids "lit" + std::to_string(), on which GCC 12 -O2 warns falsely (-Wrestrict).
inline std::string Nm(std::string_view prefix, long i) {
  return fmt::format("{}{}", prefix, i);
}

class NsTest : public ::testing::Test {
 protected:
  InodeId File(InodeId parent, std::string_view name, uint16_t mode = 0644,
               const Cred* who = nullptr) {
    auto a = ns.Create(who ? *who : root, parent, name, NodeType::kFile, mode, 0, 0, now);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? a->inode : 0;
  }
  InodeId Dir(InodeId parent, std::string_view name, uint16_t mode = 0755,
              const Cred* who = nullptr) {
    auto a = ns.Mkdir(who ? *who : root, parent, name, mode, 0, now);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? a->inode : 0;
  }
  Attr Get(InodeId inode) { return *ns.GetAttr(inode); }
  void Chmod(InodeId inode, uint16_t mode) {
    SetAttrRequest req;
    req.mode = mode;
    ASSERT_TRUE(ns.SetAttr(root, inode, req, now).ok());
  }
  void Chown(InodeId inode, uint32_t uid, uint32_t gid) {
    SetAttrRequest req;
    req.uid = uid;
    req.gid = gid;
    ASSERT_TRUE(ns.SetAttr(root, inode, req, now).ok());
  }

  uint32_t now = 1000;
  MemoryChunkRefs refs;
  Namespace ns{refs, 1000};
  Cred root{};
  Cred alice{1000, 100, {}};
  Cred bob{1001, 100, {200}};
  Cred eve{1002, 300, {}};
};

}  // namespace elk::master
