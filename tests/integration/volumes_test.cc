// Volumes for VMs with real initiators: the real master and chunkservers, mfsiscsid and
// mfsvolume, driven by libiscsi's tools, QEMU (qemu-img, qemu-io, qemu-nbd) and fio, and
// iscsi-test-cu run against mfsiscsid and against tgt in the same session. Everything on
// 127.0.0.1 in the cluster's temporary folder; every process stopped by its pid.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace elk::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

struct Ran {
  int status = -1;
  std::string output;
};

// Runs a program to its end (killed after `limit`), with its output.
Ran RunCapture(const std::vector<std::string>& argv, const std::string& dir,
               std::chrono::seconds limit) {
  static int n = 0;
  const std::string log = dir + "/run" + std::to_string(++n) + ".out";
  auto p = Process::Spawn(argv, log);
  if (!p.ok()) return {-1, p.status().ToString()};
  Ran r;
  r.status = p->Wait(limit);
  if (r.status == -1) p->Kill();
  r.output = ReadFile(log);
  return r;
}

std::string Which(const std::string& tool) {
  for (const char* d : {"/usr/bin", "/usr/sbin", "/bin", "/sbin"})
    if (fs::exists(fs::path(d) / tool)) return (fs::path(d) / tool).string();
  return {};
}

// Tools the tests need: missing ones fail the test loudly (scripts/deps.sh installs them).
void RequireTools(std::initializer_list<const char*> tools) {
  for (const char* t : tools)
    ASSERT_FALSE(Which(t).empty()) << t << " is not installed: run scripts/deps.sh";
}

class VolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RequireTools({"iscsi-ls", "iscsi-inq", "iscsi-readcapacity16", "qemu-img", "qemu-io"});
    auto started = Cluster::Start({.chunkservers = 3});
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    cluster_ = std::move(*started);
    dir_ = cluster_->dir();
    iscsi_port_ = FreePort();
    ASSERT_TRUE(StartTarget().ok());
  }

  Status StartTarget() {
    fs::create_directories(dir_ + "/iscsid");
    std::ofstream(dir_ + "/mfsiscsid.cfg")
        << "DATA_PATH = " << dir_ << "/iscsid\n"
        << "WORKING_USER = root\n"
        << "MASTER_HOST = 127.0.0.1\nMASTER_PORT = " << cluster_->client_port() << "\n"
        << "ISCSI_LISTEN_HOST = 127.0.0.1\nISCSI_LISTEN_PORT = " << iscsi_port_ << "\n"
        << "WORKER_THREADS = 16\n";
    auto p = Process::Spawn({Cluster::BinDir() + "/mfsiscsid", "-f", "-c", dir_ + "/mfsiscsid.cfg"},
                            dir_ + "/mfsiscsid.log");
    if (!p.ok()) return p.status();
    target_ = std::move(*p);
    if (!WaitForPort(iscsi_port_, 15s)) {
      ADD_FAILURE() << ReadFile(dir_ + "/mfsiscsid.log");
      return Status(Code::kTimeout, "mfsiscsid did not listen");
    }
    return Status::Ok();
  }

  // mfsvolume --json ...; the parsed answer (fails the test on an error).
  json Volume(std::vector<std::string> args, bool expect_ok = true) {
    std::vector<std::string> argv = {Cluster::BinDir() + "/mfsvolume",
                                     "-H",
                                     "127.0.0.1",
                                     "-P",
                                     std::to_string(cluster_->client_port()),
                                     "-S",
                                     dir_ + "/iscsid/mfsiscsid.sock",
                                     "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    Ran r = RunCapture(argv, dir_, 60s);
    EXPECT_EQ(r.status == 0, expect_ok) << r.output;
    const size_t start = r.output.find_first_of("{[");
    if (start == std::string::npos) return json{};
    json j = json::parse(r.output.substr(start), nullptr, false);
    return j.is_discarded() ? json{} : j;
  }

  std::string Url(const std::string& iqn) const {
    return "iscsi://127.0.0.1:" + std::to_string(iscsi_port_) + "/" + iqn + "/0";
  }
  Ran Run(std::vector<std::string> argv, std::chrono::seconds limit = 120s) {
    argv[0] = Which(argv[0]);
    return RunCapture(argv, dir_, limit);
  }
  // Exports a new volume, returns its IQN.
  std::string NewExportedVolume(const std::string& name, const std::string& size) {
    Volume({"create", name, size});
    json info = Volume({"export", name});
    return info["data"].value("target_iqn", "");
  }

  std::unique_ptr<Cluster> cluster_;
  std::string dir_;
  uint16_t iscsi_port_ = 0;
  Process target_;
};

TEST_F(VolumesTest, LibiscsiToolsAndQemuSeeTheVolume) {
  const std::string iqn = NewExportedVolume("v1", "1G");
  ASSERT_EQ(iqn, "iqn.2026-11.org.elkfs:volume-v1");
  Ran ls = Run({"iscsi-ls", "-s", "iscsi://127.0.0.1:" + std::to_string(iscsi_port_)});
  EXPECT_EQ(ls.status, 0) << ls.output;
  EXPECT_NE(ls.output.find("Target:" + iqn), std::string::npos) << ls.output;
  EXPECT_NE(ls.output.find("DIRECT_ACCESS (Size:1023M)"), std::string::npos) << ls.output;
  Ran inq = Run({"iscsi-inq", Url(iqn)});
  EXPECT_NE(inq.output.find("Vendor:ELKFS"), std::string::npos) << inq.output;
  Ran vpd = Run({"iscsi-inq", "-e", "1", "-c", "0x83", Url(iqn)});
  EXPECT_EQ(vpd.status, 0) << vpd.output;
  Ran cap = Run({"iscsi-readcapacity16", Url(iqn)});
  EXPECT_NE(cap.output.find("Total size:1073741824"), std::string::npos) << cap.output;
  EXPECT_NE(cap.output.find("LOGICAL BLOCK LENGTH IN BYTES:512"), std::string::npos);
  Ran info = Run({"qemu-img", "info", Url(iqn)});
  EXPECT_NE(info.output.find("virtual size: 1 GiB (1073741824 bytes)"), std::string::npos)
      << info.output;
}

TEST_F(VolumesTest, QemuWritesReadBackAndASnapshotKeepsTheOldBytes) {
  const std::string iqn = NewExportedVolume("v2", "256M");
  Ran w = Run({"qemu-io", "-f", "raw", "-c", "write -P 0xab 0 8M", "-c", "write -P 0x11 130M 1M",
               Url(iqn)});
  ASSERT_EQ(w.status, 0) << w.output;
  ASSERT_NE(w.output.find("wrote 8388608/8388608"), std::string::npos) << w.output;
  Volume({"snapshot", "v2", "s1"});
  Volume({"create-from-snapshot", "v2-old", "v2", "s1"});
  const std::string old_iqn = Volume({"export", "v2-old"})["data"].value("target_iqn", "");
  // Overwrite the first half of the source after the snapshot.
  Ran w2 = Run({"qemu-io", "-f", "raw", "-c", "write -P 0xcd 0 4M", Url(iqn)});
  ASSERT_EQ(w2.status, 0) << w2.output;
  Ran now = Run({"qemu-io", "-f", "raw", "-c", "read -P 0xcd 0 4M", "-c", "read -P 0xab 4M 4M",
                 "-c", "read -P 0x11 130M 1M", "-c", "read -P 0 200M 1M", Url(iqn)});
  EXPECT_EQ(now.output.find("failed"), std::string::npos) << now.output;
  EXPECT_NE(now.output.find("read 1048576/1048576 bytes at offset 209715200"), std::string::npos)
      << now.output;
  Ran old = Run({"qemu-io", "-f", "raw", "-c", "read -P 0xab 0 8M", "-c", "read -P 0x11 130M 1M",
                 Url(old_iqn)});
  EXPECT_EQ(old.output.find("failed"), std::string::npos) << old.output;
  EXPECT_NE(old.output.find("read 8388608/8388608 bytes at offset 0"), std::string::npos)
      << old.output;
  // A volume with a snapshot is not deleted unless asked.
  Volume({"delete", "v2"}, false);
  EXPECT_EQ(Volume({"list"}).size(), 2u);
}

// Chunk files of every chunkserver's disk.
size_t ChunkFiles(Cluster& c) {
  size_t n = 0;
  for (int i = 0; i < 3; ++i)
    for (const auto& e : fs::recursive_directory_iterator(c.chunkserver_disk(i)))
      if (e.path().filename().string().rfind("chunk_", 0) == 0) ++n;
  return n;
}

TEST_F(VolumesTest, DiscardFreesWholeChunksAndReadsZeros) {
  const std::string iqn = NewExportedVolume("vd", "256M");
  Ran w = Run({"qemu-io", "-f", "raw", "-c", "write -P 0xab 0 256M", Url(iqn)});
  ASSERT_EQ(w.status, 0) << w.output;
  const size_t before = ChunkFiles(*cluster_);
  EXPECT_GE(before, 8u) << "4 chunks at goal 2";
  // 60..200 MiB: chunks 1 and 2 are dropped whole, the ends are written with zeros.
  Ran d = Run({"qemu-io", "-f", "raw", "-c", "discard 60M 140M", "-c", "read -P 0 60M 140M", "-c",
               "read -P 0xab 0 60M", "-c", "read -P 0xab 200M 56M", Url(iqn)});
  EXPECT_EQ(d.status, 0) << d.output;
  EXPECT_NE(d.output.find("discard 146800640/146800640"), std::string::npos) << d.output;
  EXPECT_EQ(d.output.find("failed"), std::string::npos) << d.output;
  bool freed = false;
  for (int i = 0; i < 300 && !freed; ++i) {
    freed = ChunkFiles(*cluster_) <= before - 4;
    if (!freed) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(freed) << "chunk files: " << before << " -> " << ChunkFiles(*cluster_);
}

TEST_F(VolumesTest, ChapIsEnforcedAndExportsSurviveATargetRestart) {
  Volume({"create", "v3", "64M"});
  json info = Volume({"export", "v3", "--chap", "alice:secretsecret12"});
  EXPECT_EQ(info["data"].value("auth_method", ""), "CHAP");
  const std::string iqn = info["data"].value("target_iqn", "");
  const std::string port = std::to_string(iscsi_port_);
  Ran good =
      Run({"iscsi-inq", "iscsi://alice%secretsecret12@127.0.0.1:" + port + "/" + iqn + "/0"});
  EXPECT_EQ(good.status, 0) << good.output;
  Ran bad = Run({"iscsi-inq", "iscsi://alice%secretsecret13@127.0.0.1:" + port + "/" + iqn + "/0"});
  EXPECT_NE(bad.status, 0) << bad.output;
  Ran none = Run({"iscsi-inq", Url(iqn)});
  EXPECT_NE(none.status, 0) << none.output;
  // The target restarts and serves the same export with the same credentials.
  EXPECT_EQ(target_.Terminate(), 0);
  ASSERT_TRUE(StartTarget().ok());
  Ran again =
      Run({"iscsi-inq", "iscsi://alice%secretsecret12@127.0.0.1:" + port + "/" + iqn + "/0"});
  EXPECT_EQ(again.status, 0) << again.output;
  // Extending an exported volume shows at once to a new login.
  Volume({"extend", "v3", "128M"});
  Ran cap = Run({"iscsi-readcapacity16",
                 "iscsi://alice%secretsecret12@127.0.0.1:" + port + "/" + iqn + "/0"});
  EXPECT_NE(cap.output.find("Total size:134217728"), std::string::npos) << cap.output;
  Volume({"unexport", "v3"});
  Ran gone = Run({"iscsi-ls", "-s", "iscsi://127.0.0.1:" + port});
  EXPECT_EQ(gone.output.find(iqn), std::string::npos) << gone.output;
}

// The names of the tests iscsi-test-cu reported failures for.
std::set<std::string> FailedTests(const std::string& output) {
  std::set<std::string> out;
  std::regex re("Suite ([A-Za-z0-9_]+), Test ([A-Za-z0-9_-]+) had failures");
  for (std::sregex_iterator it(output.begin(), output.end(), re), end; it != end; ++it)
    out.insert((*it)[1].str() + "." + (*it)[2].str());
  return out;
}

TEST_F(VolumesTest, IscsiTestCuPassesWhatTgtPasses) {
  RequireTools({"iscsi-test-cu", "tgtd", "tgtadm"});
  // tgt on this machine, serving a plain file of the same size, on its own port.
  const uint16_t tgt_port = FreePort();
  const std::string control = std::to_string(1000 + tgt_port % 20000);
  { std::ofstream disk(dir_ + "/tgt-disk.img"); }
  fs::resize_file(dir_ + "/tgt-disk.img", 1u << 30);
  auto tgtd = Process::Spawn({Which("tgtd"), "-f", "--iscsi",
                              "portal=127.0.0.1:" + std::to_string(tgt_port), "-C", control},
                             dir_ + "/tgtd.log");
  ASSERT_TRUE(tgtd.ok());
  ASSERT_TRUE(WaitForPort(tgt_port, 15s)) << ReadFile(dir_ + "/tgtd.log");
  const std::string tgt_iqn = "iqn.2026-11.test:tgt";
  ASSERT_EQ(Run({"tgtadm", "-C", control, "--lld", "iscsi", "--op", "new", "--mode", "target",
                 "--tid", "1", "-T", tgt_iqn})
                .status,
            0);
  ASSERT_EQ(Run({"tgtadm", "-C", control, "--lld", "iscsi", "--op", "new", "--mode", "logicalunit",
                 "--tid", "1", "--lun", "1", "-b", dir_ + "/tgt-disk.img"})
                .status,
            0);
  ASSERT_EQ(Run({"tgtadm", "-C", control, "--lld", "iscsi", "--op", "bind", "--mode", "target",
                 "--tid", "1", "-I", "ALL"})
                .status,
            0);
  const std::string iqn = NewExportedVolume("conformance", "1G");
  const std::string tgt_url =
      "iscsi://127.0.0.1:" + std::to_string(tgt_port) + "/" + tgt_iqn + "/1";
  // Each suite in its own run: a suite that leaves the test tool in a bad state (after
  // CompareAndWrite.Unwritten, which runs only on thin-provisioned units, it sends READ16
  // CDBs with a wrong transfer length) must not fail the suites after it.
  Ran list = Run({"iscsi-test-cu", "--list"});
  std::vector<std::string> suites;
  std::regex suite_re("^(SCSI|iSCSI)\\.[A-Za-z0-9]+$");
  std::istringstream lines(list.output);
  for (std::string line; std::getline(lines, line);)
    if (std::regex_match(line, suite_re)) suites.push_back(line);
  ASSERT_GT(suites.size(), 40u) << list.output;
  std::set<std::string> tgt_failed, elk_failed;
  std::map<std::string, std::string> elk_output;  // by suite, to show a failure's log
  size_t elk_tests = 0;
  size_t elk_skipped = 0;
  for (const std::string& suite : suites) {
    Ran tgt = Run({"iscsi-test-cu", "-d", "-n", "--test=" + suite + ".*", tgt_url}, 600s);
    Ran elk = Run({"iscsi-test-cu", "-d", "-n", "--test=" + suite + ".*", Url(iqn)}, 600s);
    ASSERT_NE(tgt.output.find("Run Summary"), std::string::npos) << suite << tgt.output;
    ASSERT_NE(elk.output.find("Run Summary"), std::string::npos) << suite << elk.output;
    for (const auto& t : FailedTests(tgt.output))
      tgt_failed.insert(t);
    for (const auto& t : FailedTests(elk.output))
      elk_failed.insert(t);
    elk_output[suite.substr(suite.find('.') + 1)] = elk.output;
    // A test the tool passes because the command is refused as unknown proves nothing.
    const std::regex skipped(
        R"(\[SKIPPED\][^\n]*(not implemented|not supported|does not support))");
    for (std::sregex_iterator it(elk.output.begin(), elk.output.end(), skipped), end; it != end;
         ++it)
      elk_skipped++;
    std::smatch m;
    if (std::regex_search(elk.output, m, std::regex("tests +([0-9]+) +([0-9]+)")))
      elk_tests += std::stoul(m[2].str());
  }
  std::string report;
  for (const auto& t : elk_failed) {
    if (tgt_failed.count(t) == 0) {
      const std::string& log = elk_output[t.substr(0, t.find('.'))];
      ADD_FAILURE() << "tgt passes " << t << ", mfsiscsid fails it; its run's last lines:\n"
                    << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    }
    report += " " + t;
  }
  std::string tgt_report;
  for (const auto& t : tgt_failed)
    tgt_report += " " + t;
  std::cout << suites.size() << " suites, " << elk_tests << " tests run on mfsiscsid; it fails ["
            << report << " ]; tgt fails [" << tgt_report << " ]; " << elk_skipped
            << " skip messages for an unimplemented command on mfsiscsid\n";
  EXPECT_GT(elk_tests, 200u);
  tgtd->Terminate();
}

TEST_F(VolumesTest, RandomWritesVerifyAfterAChunkserverDiesMidway) {
  RequireTools({"fio", "qemu-nbd"});
  const std::string iqn = NewExportedVolume("vfio", "2G");  // goal 2: the folder's default
  const std::string sock = dir_ + "/nbd.sock";
  auto serve = [&]() -> Process {
    fs::remove(sock);
    auto nbd = Process::Spawn({Which("qemu-nbd"), "-f", "raw", "--socket=" + sock, "--persistent",
                               "--shared=4", Url(iqn)},
                              dir_ + "/qemu-nbd.log");
    if (!nbd.ok()) {
      ADD_FAILURE() << nbd.status().ToString();
      return Process();
    }
    for (int i = 0; i < 100 && !fs::exists(sock); ++i)
      std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(fs::exists(sock)) << ReadFile(dir_ + "/qemu-nbd.log");
    return std::move(*nbd);
  };
  // Every 64 KiB block of 2 GiB written once in random order with a CRC, then all read
  // back and checked; a chunkserver is killed while the writes run.
  const std::vector<std::string> job = {"fio",
                                        "--name=verify",
                                        "--ioengine=nbd",
                                        "--uri=nbd+unix:///?socket=" + sock,
                                        "--rw=randwrite",
                                        "--bs=64k",
                                        "--size=2G",
                                        "--iodepth=8",
                                        "--verify=crc32c",
                                        "--verify_state_save=0",
                                        "--verify_fatal=1"};
  auto expect_verified = [](const Ran& fio) {
    EXPECT_EQ(fio.status, 0) << fio.output;
    EXPECT_NE(fio.output.find("err= 0"), std::string::npos) << fio.output;
    EXPECT_EQ(fio.output.find("verify: bad"), std::string::npos) << fio.output;
    EXPECT_NE(fio.output.find("READ: bw="), std::string::npos) << fio.output;
  };
  Process nbd = serve();
  std::thread killer([&] {
    std::this_thread::sleep_for(3s);
    cluster_->KillChunkserver(1);
  });
  std::vector<std::string> write_and_verify = job;
  write_and_verify.push_back("--do_verify=1");
  Ran fio = Run(write_and_verify, 600s);
  killer.join();
  expect_verified(fio);
  nbd.Terminate();
  // The target keeps what it wrote in its read cache, so the check above read much of it
  // from memory. Restarted, the target has nothing cached: the same blocks are verified
  // again from the copies the chunkservers hold (the killed one's gone).
  EXPECT_EQ(target_.Terminate(), 0);
  ASSERT_TRUE(StartTarget().ok());
  nbd = serve();
  std::vector<std::string> verify_only = job;
  verify_only.push_back("--verify_only");
  expect_verified(Run(verify_only, 600s));
  nbd.Terminate();
  // How the target lived through the loss (for the reader of the test log).
  const std::string log = ReadFile(dir_ + "/mfsiscsid.log");
  size_t retried = 0;
  for (size_t at = 0; (at = log.find("failed (attempt", at)) != std::string::npos; ++at)
    ++retried;
  std::cout << "chunk writes retried on a new chain after the kill: " << retried << "\n";
}

TEST_F(VolumesTest, CinderDriverAgainstTheRealMfsvolume) {
  const std::string test = std::string(ELKFS_SOURCE_DIR) + "/cinderdriver/openstack/test_elkfs.py";
  ::setenv("ELKFS_MFSVOLUME", (Cluster::BinDir() + "/mfsvolume").c_str(), 1);
  ::setenv("ELKFS_MASTER_HOST", "127.0.0.1", 1);
  ::setenv("ELKFS_MASTER_PORT", std::to_string(cluster_->client_port()).c_str(), 1);
  ::setenv("ELKFS_ISCSID_SOCKET", (dir_ + "/iscsid/mfsiscsid.sock").c_str(), 1);
  Ran r = RunCapture({"/usr/bin/python3", test, "-v"}, dir_, 300s);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;
  ::unsetenv("ELKFS_MFSVOLUME");
}

}  // namespace
}  // namespace elk::test
