// The model-checked exerciser on a real cluster: for each seed, one file at goal 1 and one
// at goal 2 gets a long random mix of operations (FileExerciser), every read checked
// against the in-memory model; half-way a chunkserver is restarted and the whole file is
// checked again. ELKFS_MODEL_OPS (operations per file, default 1500) and ELKFS_MODEL_SEEDS
// (comma-separated, default 1,2,3) size the run; ctest runs a short one, and a long one
// (label "long") of 20,000 operations per file. Fails (never skips) without FUSE.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mount/fuse/file_exerciser.h"
#include "mount/fuse/mount_cluster.h"
#include "mount/fuse/mount_test_util.h"
#include "tests/harness/cluster.h"

namespace elk {
namespace {

using namespace std::chrono_literals;
using mount_test::FileExerciser;
using mount_test::RunCommand;

int OpsPerFile() {
  const char* v = std::getenv("ELKFS_MODEL_OPS");
  return v != nullptr ? std::max(2, std::atoi(v)) : 1500;
}

std::vector<uint64_t> Seeds() {
  const char* v = std::getenv("ELKFS_MODEL_SEEDS");
  std::stringstream in(v != nullptr ? v : "1,2,3");
  std::vector<uint64_t> out;
  for (std::string s; std::getline(in, s, ',');)
    if (!s.empty()) out.push_back(std::stoull(s));
  return out;
}

class MountModelTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    cluster_ = mount_test::StartMountedCluster();
    ASSERT_NE(cluster_, nullptr);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }

  // Stops chunkserver i and starts it again; the file is read back whole once it is up
  // (bounded: a goal-1 chunk on it is unreadable until it has registered again).
  static std::string RestartAndVerify(int i, FileExerciser& ex) {
    ex.CloseFile();
    cluster_->StopChunkserver(i);
    if (Status s = cluster_->StartChunkserver(i); !s.ok()) return s.ToString();
    std::string e;
    for (int attempt = 0; attempt < 60; ++attempt) {
      e = ex.VerifyWhole();
      if (e.empty()) return e;
      std::this_thread::sleep_for(500ms);
    }
    return "after restarting chunkserver " + std::to_string(i) + ": " + e;
  }

  static test::Cluster* cluster_;
};
test::Cluster* MountModelTest::cluster_ = nullptr;

TEST_P(MountModelTest, EveryReadMatchesTheModel) {
  const int goal = GetParam();
  const std::string dir = cluster_->mount_point() + "/model_goal" + std::to_string(goal);
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  auto [out, rc] =
      RunCommand(test::Cluster::BinDir() + "/mfssetgoal " + std::to_string(goal) + " " + dir);
  ASSERT_EQ(rc, 0) << out;
  const int ops = OpsPerFile();
  int total = 0;
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", goal " + std::to_string(goal));
    const std::string name = "f" + std::to_string(seed);
    // In the test's working folder, so it outlives the cluster's temporary one.
    const std::string log =
        "mfsmount_model_goal" + std::to_string(goal) + "_seed" + std::to_string(seed) + ".log";
    FileExerciser ex(dir + "/" + name, seed * 1000 + static_cast<uint64_t>(goal), log);
    std::string e = ex.Run(ops / 2);
    if (e.empty()) e = ex.VerifyWhole();
    if (e.empty()) e = RestartAndVerify(static_cast<int>(seed % 3), ex);
    if (e.empty()) e = ex.Run(ops - ops / 2);
    ex.CloseFile();
    if (e.empty()) e = ex.VerifyWhole();
    ASSERT_TRUE(e.empty()) << e << "the log: " << log;
    total += ex.operations();
  }
  std::printf("goal %d: %d operations checked against the model\n", goal, total);
  EXPECT_EQ(total, ops * static_cast<int>(Seeds().size()));
}

INSTANTIATE_TEST_SUITE_P(Goals, MountModelTest, ::testing::Values(1, 2),
                         [](const auto& p) { return "goal" + std::to_string(p.param); });

}  // namespace
}  // namespace elk
