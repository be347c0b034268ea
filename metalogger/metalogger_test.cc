// mfsmetalogger in-process against an in-process mfsmaster: a late start (image then
// stream), its own restart and a master restart (resumed with no gap and no repeat), and the
// files restored by mfsmetarestore's code give the master's namespace.
#include "metalogger/metalogger.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "common/changelog/reader.h"
#include "master/meta/restore.h"
#include "master/server/master_server.h"
#include "master/server/test_peers.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace elk::metalogger {
namespace {

namespace fs = std::filesystem;
namespace proto = protocol;
using master::MasterConfig;
using master::MasterServer;
using master::test::TestClient;
using namespace std::chrono_literals;

class MetaloggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("elk-ml-test-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "master");
    fs::create_directories(dir_ / "ml");
  }
  void TearDown() override {
    StopMl();
    StopMaster();
    fs::remove_all(dir_);
  }

  void StartMaster(uint16_t ml_port = 0) {
    MasterConfig c;
    c.data_path = (dir_ / "master").string();
    c.exports_text = "127.0.0.1 / rw,alldirs,maproot=0\n";
    c.matocl = {"127.0.0.1", 0};
    c.matocs = {"127.0.0.1", 0};
    c.matoml = {"127.0.0.1", ml_port};
    c.changelog_sync = false;
    auto s = MasterServer::Create(c);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    master_ = std::move(*s);
    ml_port_ = master_->metalogger_port();
    master_thread_ = std::thread([this] { (void)master_->Run(); });
  }
  void StopMaster() {
    if (!master_) return;
    master_->Stop();
    master_thread_.join();
    master_.reset();
  }
  void StartMl() {
    MetaloggerConfig c;
    c.data_path = (dir_ / "ml").string();
    c.master_host = "127.0.0.1";
    c.master_port = ml_port_;
    c.reconnect_delay = 100ms;
    c.timeout = 10s;
    auto m = Metalogger::Create(c);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ml_ = std::move(*m);
    ml_thread_ = std::thread([this] { (void)ml_->Run(); });
  }
  void StopMl() {
    if (!ml_) return;
    ml_->Stop();
    ml_thread_.join();
    ml_.reset();
  }
  uint64_t MasterVersion() {
    auto p = std::make_shared<std::promise<uint64_t>>();
    auto f = p->get_future();
    master_->loop().Post([this, p] { p->set_value(master_->metadata().version()); });
    return f.get();
  }
  // Waits until the metalogger holds what the master has committed.
  void WaitCaughtUp() {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ml_->last_version() == MasterVersion()) return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "metalogger at " << ml_->last_version() << ", master at " << MasterVersion();
  }
  // Namespace operations through the wire, named by `tag`.
  void Workload(const std::string& tag) {
    TestClient c;
    ASSERT_TRUE(c.Hello(master_->client_port()).ok());
    ASSERT_TRUE(c.Register("/").ok());
    auto d = c.Call<proto::MatoclMkdir>(proto::CltomaMkdir{0, 1, "d" + tag, 0755, 022, {}});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    uint32_t dir = d->attr.inode;
    for (int i = 0; i < 20; ++i) {
      auto f = c.Call<proto::MatoclCreate>(
          proto::CltomaCreate{0, dir, fmt::format("f{}", i), 0644, 022, {}});
      ASSERT_TRUE(f.ok()) << f.status().ToString();
    }
    ASSERT_TRUE(c.Do(proto::CltomaRename{0, dir, "f0", 1, "moved" + tag, {}}).ok());
    ASSERT_TRUE(c.Do(proto::CltomaUnlink{0, dir, "f1", {}}).ok());
    ASSERT_TRUE(
        c.Call<proto::MatoclSymlink>(proto::CltomaSymlink{0, dir, "s", "/x/" + tag, {}}).ok());
  }
  // The records in changelog_ml.0.mfs run on from the image with no gap and no repeat.
  void ExpectContiguousFromImage() {
    auto img = image::Load((dir_ / "ml" / "metadata_ml.mfs.back").string());
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    auto file = changelog::ReadFile((dir_ / "ml" / "changelog_ml.0.mfs").string());
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_FALSE(file->torn_tail);
    uint64_t expected = img->version + 1;
    for (const auto& r : file->records) {
      ASSERT_EQ(r.version, expected) << "gap or repeat";
      ++expected;
    }
  }
  // mfsmetarestore -a on the metalogger's folder gives the master's namespace and chunks.
  void ExpectRestoreMatchesMaster() {
    auto opts = master::AutoRestoreOptions((dir_ / "ml").string());
    ASSERT_TRUE(opts.ok()) << opts.status().ToString();
    EXPECT_EQ(opts->image, (dir_ / "ml" / "metadata_ml.mfs.back").string());
    opts->output = (dir_ / "restored.mfs").string();
    auto report = master::RestoreMetadata(*opts, 0);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto restored = master::DumpImage(opts->output);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    auto saved = master::DumpImage((dir_ / "master" / "metadata.mfs").string());
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    EXPECT_EQ(*restored, *saved);
  }

  fs::path dir_;
  std::unique_ptr<MasterServer> master_;
  std::thread master_thread_;
  uint16_t ml_port_ = 0;
  std::unique_ptr<Metalogger> ml_;
  std::thread ml_thread_;
};

TEST_F(MetaloggerTest, LateMetaloggerGetsTheImageThenTheStream) {
  StartMaster();
  Workload("a");
  StartMl();
  WaitCaughtUp();
  EXPECT_EQ(ml_->images_downloaded(), 1u);
  Workload("b");
  WaitCaughtUp();
  EXPECT_EQ(ml_->images_downloaded(), 1u);
  ExpectContiguousFromImage();
  StopMl();
  StopMaster();
  ExpectRestoreMatchesMaster();
}

TEST_F(MetaloggerTest, ResumesAfterItsOwnRestart) {
  StartMaster();
  StartMl();
  Workload("a");
  WaitCaughtUp();
  StopMl();
  Workload("b");  // while the metalogger is down
  StartMl();
  WaitCaughtUp();
  EXPECT_EQ(ml_->images_downloaded(), 0u) << "resumed from the ring, no image";
  EXPECT_EQ(ml_->registrations(), 1u);
  Workload("c");
  WaitCaughtUp();
  ExpectContiguousFromImage();
  StopMl();
  StopMaster();
  ExpectRestoreMatchesMaster();
}

TEST_F(MetaloggerTest, ResumesAfterAMasterRestart) {
  StartMaster();
  StartMl();
  Workload("a");
  WaitCaughtUp();
  uint16_t port = ml_port_;
  StopMaster();
  StartMaster(port);
  Workload("b");
  WaitCaughtUp();
  EXPECT_EQ(ml_->images_downloaded(), 1u) << "resumed after the restart, no second image";
  EXPECT_GE(ml_->registrations(), 1u);
  ExpectContiguousFromImage();
  StopMl();
  StopMaster();
  ExpectRestoreMatchesMaster();
}

// The metalogger remembers the term of the master it follows and refuses one of an older
// term (an old leader that woke up), as chunkservers do; a newer term is followed.
TEST_F(MetaloggerTest, AMasterOfAnOlderTermIsRefused) {
  auto raise_epoch = [this](uint64_t epoch) {
    auto p = std::make_shared<std::promise<Status>>();
    auto f = p->get_future();
    master_->loop().Post([this, p, epoch] { p->set_value(master_->BecomeLeader(epoch)); });
    ASSERT_TRUE(f.get().ok());
  };
  StartMaster();
  raise_epoch(5);
  StartMl();
  Workload("a");
  WaitCaughtUp();
  const uint64_t held = ml_->last_version();
  const uint16_t port = ml_port_;
  StopMaster();
  StartMaster(port);  // the same history, but term 0: older than 5
  Workload("old");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(ml_->last_version(), held) << "took records from a master of an older term";
  raise_epoch(6);
  Workload("b");
  WaitCaughtUp();
}

// The newest version in the metalogger's files, read without touching them.
uint64_t HeldVersion(const fs::path& dir) {
  auto img = image::Load((dir / "metadata_ml.mfs.back").string());
  if (!img.ok()) return 0;
  auto file = changelog::ReadFile((dir / "changelog_ml.0.mfs").string());
  if (!file.ok() || file->records.empty()) return img->version;
  return file->records.back().version;
}

TEST_F(MetaloggerTest, TheProgramResumesAfterSigkill) {
  StartMaster();
  Workload("a");
  fs::path cfg = dir_ / "mfsmetalogger.cfg";
  {
    std::ofstream out(cfg);
    // Two masters, the first one not there (nothing listens on port 1): the next is tried.
    out << "DATA_PATH = " << (dir_ / "ml").string() << "\nMASTER_HOST = 127.0.0.1:1 127.0.0.1\n"
        << "MASTER_PORT = " << ml_port_
        << "\nMASTER_RECONNECTION_DELAY = 1\n"
        // Keep the test's identity: on a machine with MooseFS's `mfs` user the program would
        // switch to it and could not enter the test's root-owned folder.
        << "WORKING_USER = " << ::getpwuid(::geteuid())->pw_name << "\n";
  }
  std::vector<std::string> argv = {test::Cluster::BinDir() + "/mfsmetalogger", "-f", "-c",
                                   cfg.string()};
  std::string log = (dir_ / "ml.log").string();
  auto wait_held = [&](uint64_t version) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (HeldVersion(dir_ / "ml") != version && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(50ms);
    return HeldVersion(dir_ / "ml");
  };
  {
    auto p = test::Process::Spawn(argv, log);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    uint64_t v = MasterVersion();
    ASSERT_EQ(wait_held(v), v);
    Workload("b");
    v = MasterVersion();
    ASSERT_EQ(wait_held(v), v);
    p->Kill();
  }
  Workload("c");  // while it is dead
  {
    auto p = test::Process::Spawn(argv, log);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    uint64_t v = MasterVersion();
    ASSERT_EQ(wait_held(v), v);
    EXPECT_EQ(p->Terminate(), 0);
  }
  // One image only (its download rotated the empty first file to .1): resumed, not resynced.
  EXPECT_FALSE(fs::exists(dir_ / "ml" / "changelog_ml.2.mfs"));
  ExpectContiguousFromImage();
  StopMaster();
  ExpectRestoreMatchesMaster();
}

}  // namespace
}  // namespace elk::metalogger
