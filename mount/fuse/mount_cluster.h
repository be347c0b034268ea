#pragma once
// The cluster the mount's integration tests start: three chunkservers and a mount, with
// replication starting at once. ELKFS_KEEP=1 keeps its folder (the servers' logs) after
// the test. Fails (never skips) without FUSE.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "tests/harness/cluster.h"

namespace elk::mount_test {

// The started cluster, owned by the caller; null (and a failed assertion) when it did not.
inline test::Cluster* StartMountedCluster() {
  EXPECT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
  auto c = test::Cluster::Start({.chunkservers = 3,
                                 .mount = true,
                                 .master_cfg = {{"REPLICATIONS_DELAY_INIT", "0"}},
                                 .keep_dir = std::getenv("ELKFS_KEEP") != nullptr});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c).release() : nullptr;
}

}  // namespace elk::mount_test
