// Losing the master's machine: a master, a metalogger, three chunkservers and a mount run a
// workload; the master is killed (SIGKILL) and its data folder destroyed; a new master starts
// from what `mfsmetarestore -a` rebuilds out of the metalogger's folder, on the same address;
// the chunkservers and the mount reconnect by themselves and every file is there with its
// bytes, goal and trash.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "tests/harness/cluster.h"
#include "tests/harness/metadata_files.h"
#include "tests/harness/process.h"

namespace elk::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng());
  return s;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  ASSERT_TRUE(out) << p;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

TEST(Disaster, MasterRebuiltFromTheMetaloggerServesEveryAcknowledgedFile) {
  auto started = Cluster::Start({.chunkservers = 3,
                                 .metalogger = true,
                                 .mount = true,
                                 .meta_mount = true,
                                 .master_cfg = {{"CHANGELOG_SYNC", "0"}}});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Cluster& c = **started;
  const fs::path mnt = c.mount_point();
  const std::string bin = Cluster::BinDir();
  const std::string tool_log = c.dir() + "/tools.log";

  // The workload: files of many sizes, renames, deletes into trash, snapshots, goals.
  std::map<std::string, std::string> expect;  // path under the mount -> bytes
  fs::create_directories(mnt / "dir1");
  fs::create_directories(mnt / "dir2");
  for (uint32_t i = 0; i < 24; ++i) {
    const size_t size = i == 7 ? (5u << 20) + 17 : 1000u * i * i + i;
    expect["dir1/f" + std::to_string(i)] = Pattern(size, i);
    WriteFile(mnt / ("dir1/f" + std::to_string(i)), expect["dir1/f" + std::to_string(i)]);
  }
  fs::rename(mnt / "dir1/f0", mnt / "dir2/g0");
  expect["dir2/g0"] = expect["dir1/f0"];
  expect.erase("dir1/f0");
  fs::rename(mnt / "dir1/f1", mnt / "dir1/h1");
  expect["dir1/h1"] = expect["dir1/f1"];
  expect.erase("dir1/f1");
  for (const char* gone : {"dir1/f2", "dir1/f3"}) {
    fs::remove(mnt / gone);
    expect.erase(gone);
  }
  ASSERT_EQ(
      RunTool({bin + "/mfsmakesnapshot", (mnt / "dir1/f7").string(), (mnt / "dir2/s7").string()},
              tool_log, 30s),
      0);
  expect["dir2/s7"] = expect["dir1/f7"];
  std::string changed = expect["dir1/f7"];
  changed.replace(100, 5, "ElkFS");
  WriteFile(mnt / "dir1/f7", changed);  // the snapshot keeps the old bytes
  expect["dir1/f7"] = changed;
  ASSERT_EQ(RunTool({bin + "/mfssetgoal", "3", (mnt / "dir2/g0").string()}, tool_log, 30s), 0);
  ASSERT_EQ(RunTool({bin + "/mfssetgoal", "1", (mnt / "dir1/f5").string()}, tool_log, 30s), 0);

  // Acknowledged more than a flush interval before the loss: wait until the metalogger holds
  // every record the master wrote, then a little more.
  const fs::path master_log = fs::path(c.master_data()) / "changelog.0.mfs";
  const fs::path ml_log = fs::path(c.metalogger_data()) / "changelog_ml.0.mfs";
  ASSERT_TRUE(WaitFor(
      [&] { return LastChangelogVersion(ml_log) >= LastChangelogVersion(master_log); }, 20s))
      << LastChangelogVersion(ml_log) << " < " << LastChangelogVersion(master_log);
  std::this_thread::sleep_for(1500ms);

  // The master's machine is gone.
  c.KillMaster();
  fs::remove_all(c.master_data());
  fs::create_directories(c.master_data());

  // Rebuild from the metalogger's folder and start a new master on the same address.
  ASSERT_EQ(RunTool({bin + "/mfsmetarestore", "-a", "-d", c.metalogger_data()}, tool_log, 60s), 0)
      << ReadFile(tool_log);
  fs::copy_file(fs::path(c.metalogger_data()) / "metadata.mfs",
                fs::path(c.master_data()) / "metadata.mfs");
  ASSERT_TRUE(c.StartMaster().ok()) << ReadFile(c.log("master"));

  // The mount and the chunkservers find it by themselves: every file reads back whole.
  for (const auto& [path, bytes] : expect) {
    std::string got;
    WaitFor(
        [&] {
          got = ReadFile(mnt / path);
          return got == bytes;
        },
        30s);
    EXPECT_TRUE(got == bytes) << path << ": " << got.size() << " bytes, expected " << bytes.size();
  }
  EXPECT_FALSE(fs::exists(mnt / "dir1/f0"));
  EXPECT_FALSE(fs::exists(mnt / "dir1/f2"));
  // Goals survived.
  const std::string goal_out = c.dir() + "/getgoal.out";
  ASSERT_EQ(RunTool({bin + "/mfsgetgoal", (mnt / "dir2/g0").string(), (mnt / "dir1/f5").string()},
                    goal_out, 30s),
            0);
  const std::string goals = ReadFile(goal_out);
  EXPECT_NE(goals.find("dir2/g0: 3"), std::string::npos) << goals;
  EXPECT_NE(goals.find("dir1/f5: 1"), std::string::npos) << goals;
  // The deleted files are in trash, under their old paths.
  std::vector<std::string> trash;
  WaitFor(
      [&] {
        trash.clear();
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(fs::path(c.meta_point()) / "trash", ec))
          trash.push_back(e.path().filename().string());
        return trash.size() >= 2;
      },
      30s);
  for (const char* gone : {"|dir1|f2", "|dir1|f3"}) {
    bool found = false;
    for (const auto& t : trash)
      found |= t.ends_with(gone);
    EXPECT_TRUE(found) << gone << " not in trash";
  }
  // New work goes on: a file written after the restore reads back.
  const std::string fresh = Pattern(300000, 99);
  WriteFile(mnt / "dir2/after", fresh);
  EXPECT_TRUE(ReadFile(mnt / "dir2/after") == fresh);
}

}  // namespace
}  // namespace elk::test
