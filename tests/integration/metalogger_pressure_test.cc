// A metalogger that cannot keep up must never slow the master's clients, and must come back
// whole: frozen (SIGSTOP) while many sessions create files, it falls out of the master's
// record ring, is told to resync when it wakes, downloads a fresh image, and ends holding
// exactly the master's metadata.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"
#include "tests/harness/metadata_files.h"
#include "tests/harness/process.h"

namespace elk::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(MetaloggerPressure, FrozenMetaloggerSlowsNoClientAndResyncsToTheMastersMetadata) {
  auto started = Cluster::Start(
      {.chunkservers = 0, .metalogger = true, .master_cfg = {{"CHANGELOG_SYNC", "0"}}});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Cluster& c = **started;
  const fs::path master_log = fs::path(c.master_data()) / "changelog.0.mfs";
  const fs::path ml_dir = c.metalogger_data();
  const fs::path ml_image = ml_dir / "metadata_ml.mfs.back";
  for (int i = 0; i < 100 && !fs::exists(ml_image); ++i)
    std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(fs::exists(ml_image));

  // Freeze the metalogger, and make sure it is woken whatever happens below.
  ASSERT_EQ(::kill(c.metalogger_pid(), SIGSTOP), 0);
  struct Wake {
    pid_t pid;
    ~Wake() { ::kill(pid, SIGCONT); }
  } wake{c.metalogger_pid()};

  // More records than the master can hold for it (its ring keeps 100,000, and as many again
  // can wait in the send queue and the sockets) while the metalogger sleeps; every
  // client call must still be answered.
  constexpr uint64_t kRecords = 500000;  // the ring, the 4 MiB send queue and the sockets' buffers
  const uint64_t start = LastChangelogVersion(master_log);
  std::atomic<uint64_t> created{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int n = 0; n < 6; ++n) {
    clients.emplace_back([&, n] {
      auto s = client::MasterSession::Open({.host = "127.0.0.1", .port = c.client_port()});
      if (!s.ok()) return (void)++failed;
      auto dir = (*s)->Mkdir(1, "c" + std::to_string(n), 0755, 0, {});
      if (!dir.ok()) return (void)++failed;
      for (uint64_t i = 0; !stop && created < kRecords; ++i)
        ((*s)->Create(dir->inode, "f" + std::to_string(i), 0644, 0, {}).ok() ? created : failed)++;
    });
  }
  const auto until = Clock::now() + 120s;
  while (created < kRecords && Clock::now() < until)
    std::this_thread::sleep_for(100ms);
  stop = true;
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(failed.load(), 0u);
  ASSERT_GE(created.load(), kRecords) << "clients stalled behind a frozen metalogger";
  const uint64_t end = LastChangelogVersion(master_log);
  ASSERT_GE(end - start, kRecords);

  // Awake, it is behind the ring: it must take a fresh image and catch up.
  const auto woken = fs::file_time_type::clock::now();
  ASSERT_EQ(::kill(c.metalogger_pid(), SIGCONT), 0);
  // Caught up: the records streamed up to the master's last one, or a fresh image (taken
  // once the clients stopped, so holding everything) with the stream running on from it.
  auto fresh_image = [&] { return fs::last_write_time(ml_image) > woken; };
  const auto deadline = Clock::now() + 60s;
  while (LastChangelogVersion(ml_dir / "changelog_ml.0.mfs") < end && !fresh_image() &&
         Clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(fresh_image()) << "no resync after falling out of the ring\n"
                             << ReadFile(c.log("metalogger"));

  // What it holds rebuilds exactly the master's metadata.
  std::this_thread::sleep_for(500ms);
  c.StopMetalogger();
  ASSERT_EQ(c.StopMaster(), 0);
  const std::string bin = Cluster::BinDir();
  const std::string dir = c.dir();
  ASSERT_EQ(RunTool({bin + "/mfsmetarestore", "-a", "-d", ml_dir.string()}, dir + "/restore.log"),
            0)
      << ReadFile(dir + "/restore.log");
  ASSERT_EQ(
      RunTool({bin + "/mfsmetadump", c.master_data() + "/metadata.mfs"}, dir + "/master.dump"), 0);
  ASSERT_EQ(RunTool({bin + "/mfsmetadump", (ml_dir / "metadata.mfs").string()}, dir + "/ml.dump"),
            0);
  const std::string master_dump = ReadFile(dir + "/master.dump");
  EXPECT_GT(master_dump.size(), 1000u);
  EXPECT_TRUE(master_dump == ReadFile(dir + "/ml.dump"))
      << "the metalogger's metadata differs from the master's";
}

}  // namespace
}  // namespace elk::test
