// The master's changelog on a failing disk (issue 17): once a write or an fdatasync of the
// changelog fails, no further request is acknowledged, the master stops with a clear log
// line, and a restart (-a) recovers every acknowledged change. The disk fails through the
// changelog writer's file seam (changelog::FileOps), in an in-process master.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <thread>

#include "master/server/master_server.h"
#include "mount/client/master_session.h"

namespace elk {
namespace {

namespace fs = std::filesystem;

// Switches the test flips, shared with the master's changelog calls.
struct ChangelogFaults {
  std::shared_ptr<std::atomic<bool>> sync = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> write = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> torn = std::make_shared<std::atomic<bool>>(true);
};

class ChangelogFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("elk-durability-test-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (thread_.joinable()) {
      master_->Stop();
      thread_.join();
    }
    master_.reset();
    fs::remove_all(dir_);
  }

  master::MasterConfig Config(bool auto_recover) {
    master::MasterConfig c;
    c.data_path = dir_.string();
    c.exports_text = "127.0.0.1 / rw,alldirs,maproot=0\n";
    c.matocl = {"127.0.0.1", 0};
    c.matocs = {"127.0.0.1", 0};
    c.matoml = {"127.0.0.1", 0};
    c.changelog_sync = true;
    c.auto_recover = auto_recover;
    return c;
  }
  // Starts a master whose changelog fdatasync fails with EIO (or whose write finds no room)
  // while the switch is on.
  void Start(bool auto_recover, const ChangelogFaults& faults) {
    master::MasterConfig c = Config(auto_recover);
    c.changelog_ops.fdatasync = [faults](int fd) {
      if (faults.sync->load()) {
        errno = EIO;
        return -1;
      }
      return ::fdatasync(fd);
    };
    c.changelog_ops.write = [faults](int fd, const void* data, size_t size) -> ssize_t {
      if (faults.write->load()) {
        // A short write: half lands, then the disk is full.
        if (faults.torn->exchange(false)) return ::write(fd, data, size / 2);
        errno = ENOSPC;
        return -1;
      }
      return ::write(fd, data, size);
    };
    auto m = master::MasterServer::Create(c);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    master_ = std::move(*m);
    done_ = false;
    thread_ = std::thread([this] {
      result_ = master_->Run();
      done_ = true;
    });
  }
  std::unique_ptr<client::MasterSession> Session() {
    auto s = client::MasterSession::Open({.host = "127.0.0.1",
                                          .port = master_->client_port(),
                                          .connect_timeout = client::Millis(2000),
                                          .request_timeout = client::Millis(5000),
                                          .reconnect_wait = client::Millis(2000)});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Waits (bounded) for the master's Run to return after its failure.
  bool WaitStopped() {
    for (int i = 0; i < 200 && !stopped(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (!stopped()) return false;
    thread_.join();
    return true;
  }
  bool stopped() const { return done_.load(); }

  void Mkdirs(client::MasterSession& s, const std::vector<std::string>& names) {
    for (const auto& n : names) {
      auto a = s.Mkdir(1, n, 0755, 022, {});
      ASSERT_TRUE(a.ok()) << n << ": " << a.status().ToString();
    }
  }

  void ExpectRecovered(const std::vector<std::string>& acknowledged) {
    master_.reset();
    ChangelogFaults none;
    Start(/*auto_recover=*/true, none);
    auto s = Session();
    ASSERT_TRUE(s);
    for (const auto& n : acknowledged)
      EXPECT_TRUE(s->Lookup(1, n, {}).ok()) << n << " was acknowledged, and is gone";
  }

  fs::path dir_;
  std::unique_ptr<master::MasterServer> master_;
  std::thread thread_;
  Status result_;
  std::atomic<bool> done_{false};
};

TEST_F(ChangelogFailureTest, AFailedFdatasyncStopsTheMasterAndNothingMoreIsAcknowledged) {
  ChangelogFaults faults;
  Start(false, faults);
  auto s = Session();
  ASSERT_TRUE(s);
  Mkdirs(*s, {"a", "b", "c"});

  faults.sync->store(true);
  auto failed = s->Mkdir(1, "d", 0755, 022, {});
  EXPECT_FALSE(failed.ok()) << "acknowledged a record whose fdatasync failed";
  // The disk "recovers": a retried fdatasync could now report success over lost pages. The
  // master must not try: it is stopping, and nothing is acknowledged meanwhile.
  faults.sync->store(false);
  auto later = client::MasterSession::Open({.host = "127.0.0.1",
                                            .port = master_->client_port(),
                                            .connect_timeout = client::Millis(1000),
                                            .request_timeout = client::Millis(2000),
                                            .reconnect_wait = client::Millis(1000)});
  if (later.ok()) {
    EXPECT_FALSE((*later)->Mkdir(1, "e", 0755, 022, {}).ok());
  }
  ASSERT_TRUE(WaitStopped()) << "the master did not stop after its changelog failed";
  EXPECT_FALSE(result_.ok());
  EXPECT_NE(result_.message().find("changelog failed"), std::string::npos) << result_.ToString();
  EXPECT_NE(result_.message().find("fdatasync"), std::string::npos) << result_.ToString();
  // Not a clean stop: the next start must recover (the marker is still there).
  EXPECT_TRUE(fs::exists(dir_ / "metadata.running"));
  ExpectRecovered({"a", "b", "c"});
}

TEST_F(ChangelogFailureTest, AShortWriteOnAFullDiskStopsTheMasterAndTheRestartCutsTheTornRecord) {
  ChangelogFaults faults;
  Start(false, faults);
  auto s = Session();
  ASSERT_TRUE(s);
  Mkdirs(*s, {"x", "y"});
  faults.write->store(true);
  EXPECT_FALSE(s->Mkdir(1, "z", 0755, 022, {}).ok());
  ASSERT_TRUE(WaitStopped());
  EXPECT_NE(result_.message().find("bytes written"), std::string::npos) << result_.ToString();
  ExpectRecovered({"x", "y"});
  auto again = Session();
  ASSERT_TRUE(again);
  // The torn record was cut: the name that was never acknowledged is free to use.
  EXPECT_TRUE(again->Mkdir(1, "w", 0755, 022, {}).ok());
}

}  // namespace
}  // namespace elk
