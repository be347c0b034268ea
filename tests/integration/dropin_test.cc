// MooseFS drop-in: a cluster started from config files written the way a MooseFS 3 admin
// writes them (every exports option, old key names, MooseFS 3's lists of limits, mfshdd.cfg
// prefixes and limits, an mfsmount.cfg with every cache option) starts, warns with file and
// line about what ElkFS does not do, serves files, and places no chunk on a disk that must
// not take new ones. Then the MooseFS fstab line mounts through mount(8) and mount.fuse.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng());
  return s;
}

size_t ChunkFilesUnder(const fs::path& disk) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(disk, ec)) {
    if (e.path().filename().string().rfind("chunk_", 0) == 0) ++n;
  }
  return n;
}

// A folder of the test's own, removed at the end.
struct TempFolder {
  TempFolder() {
    char name[] = "/tmp/elk-dropin-XXXXXX";
    path = ::mkdtemp(name) != nullptr ? name : "";
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  std::string path;
};

const char kExports[] =
    "# MooseFS 3 style: every option\n"
    "127.0.0.1 / rw,alldirs,maproot=0:0,ignoregid,admin,dynamicip,canchangequota,"
    "minversion=3.0.0,mingoal=1,maxgoal=9,mintrashtime=0,maxtrashtime=1w\n"
    "127.0.0.1 . rw,nonrootmeta\n"
    "10.1.0.0/16 /projects ro,mapall=65534:65534,password=secret\n"
    "10.2.0.0/255.255.0.0 /x rw,md5pass=5ebe2294ecd0e0f08eab7690d2a6ee69\n"
    "10.3.0.1-10.3.0.9 / readonly\n";

const char kMasterCfg[] =
    "# MooseFS 3 mfsmaster.cfg keys\n"
    "SYSLOG_IDENT = mfsmaster\n"
    "LOCK_MEMORY = 0\n"
    "LIMIT_GLIBC_MALLOC_ARENAS = 4\n"
    "NICE_LEVEL = -19\n"
    "FILE_UMASK = 027\n"
    "BACK_LOGS = 50\n"
    "BACK_META_KEEP_PREVIOUS = 1\n"
    "CHANGELOG_PRESERVE_SECONDS = 1800\n"
    "MISSING_LOG_CAPACITY = 100000\n"
    "MATOCS_TIMEOUT = 10\n"
    "CHUNKS_LOOP_MAX_CPS = 100000\n"
    "CHUNKS_SOFT_DEL_LIMIT = 10\n"
    "CHUNKS_HARD_DEL_LIMIT = 25\n"
    "CHUNKS_WRITE_REP_LIMIT = 2,1,1,4\n"
    "CHUNKS_READ_REP_LIMIT = 10,5,2,5\n"
    "CS_HEAVY_LOAD_THRESHOLD = 100\n"
    "ACCEPTABLE_PERCENTAGE_DIFFERENCE = 1.0\n"
    "PRIORITY_QUEUES_LENGTH = 1000000\n"
    "SESSION_SUSTAIN_TIME = 86400\n"
    "ATIME_MODE = 0\n"
    "# MooseFS 1.6 keys\n"
    "LOCK_FILE = /var/run/mfs/mfsmaster.lock\n"
    "REJECT_OLD_CLIENTS = 0\n";

const char kChunkserverCfg[] =
    "# MooseFS 3 mfschunkserver.cfg keys\n"
    "LABELS =\n"
    "HDD_TEST_FREQ = 10\n"
    "HDD_CHECK_CRC_WHEN_READING = 1\n"
    "HDD_REBALANCE_UTILIZATION = 20\n"
    "HDD_ERROR_TOLERANCE_COUNT = 2\n"
    "HDD_ERROR_TOLERANCE_PERIOD = 600\n"
    "HDD_FSYNC_BEFORE_CLOSE = 0\n"
    "HDD_SPARSIFY_ON_WRITE = 1\n"
    "WORKERS_MAX = 250\n"
    "WORKERS_MAX_IDLE = 40\n"
    "CSSERV_TIMEOUT = 5\n"
    "BIND_HOST = *\n"
    "MASTER_TIMEOUT = 10\n"
    "ENABLE_LOAD_FACTOR = 0\n"
    "LOCK_FILE = /var/run/mfs/mfschunkserver.lock\n";

const char kMountCfg[] =
    "# MooseFS 3 mfsmount.cfg: every cache option\n"
    "mfscachemode = AUTO\n"
    "mfsattrcacheto = 1.0\n"
    "mfsentrycacheto = 0.0\n"
    "mfsdirentrycacheto = 1.0\n"
    "mfsnegentrycacheto = 1.0\n"
    "mfswritecachesize = 64\n"
    "mfsreadaheadsize = 4\n"
    "mfsdelayedinit\n"
    "mfsmkdircopysgid = 0\n"
    "mfssugidclearmode = EXT\n"
    "mfsioretries = 30\n";

TEST(MooseFsDropIn, ClusterStartsFromMooseFs3FilesAndWarnsWithFileAndLine) {
  TempFolder disks;
  ASSERT_FALSE(disks.path.empty());
  for (const char* d : {"removed", "out", "in", "limited", "reserved", "zfs"})
    fs::create_directories(disks.path + "/" + d);
  const std::string hdd = "*" + disks.path + "/removed\n<" + disks.path + "/out\n>" + disks.path +
                          "/in\n" + disks.path + "/limited 1GiB\n" + disks.path +
                          "/reserved -64MiB\n~" + disks.path + "/zfs\nrelative/disk\n";
  const std::string mount_cfg = disks.path + "/mfsmount.cfg";
  std::ofstream(mount_cfg) << kMountCfg;

  auto cluster = Cluster::Start({.chunkservers = 1,
                                 .metalogger = true,
                                 .mount = true,
                                 .exports = kExports,
                                 .master_cfg_text = kMasterCfg,
                                 .chunkserver_cfg_text = kChunkserverCfg,
                                 .metalogger_cfg_text = "META_DOWNLOAD_FREQ = 24\n"
                                                        "BACK_META_KEEP_PREVIOUS = 3\n",
                                 .hdd_cfg_text = hdd,
                                 .mount_args = {"-c", mount_cfg}});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;

  const fs::path file = fs::path(c.mount_point()) / "data.bin";
  const std::string bytes = Pattern(3 << 20, 19);
  std::ofstream(file, std::ios::binary) << bytes;
  EXPECT_EQ(ReadAll(file), bytes);
  EXPECT_FALSE(fs::exists(fs::path(c.mount_point()) / "absent"));
  EXPECT_FALSE(fs::exists(fs::path(c.mount_point()) / "absent"));  // from the negative cache
  std::ofstream(fs::path(c.mount_point()) / "absent") << "now here";
  EXPECT_EQ(ReadAll(fs::path(c.mount_point()) / "absent"), "now here");

  // The '*' and '<' disks took no new chunk.
  EXPECT_EQ(ChunkFilesUnder(disks.path + "/removed"), 0u);
  EXPECT_EQ(ChunkFilesUnder(disks.path + "/out"), 0u);

  const std::string master_log = ReadAll(c.log("master"));
  const std::string master_cfg = c.dir() + "/mfsmaster.cfg";
  for (const std::string& want : std::vector<std::string>{
           master_cfg + ":",  // every warning names the file and a line
           "unknown key LIMIT_GLIBC_MALLOC_ARENAS",
           "unknown key LOCK_FILE",
           "CHUNKS_WRITE_REP_LIMIT = 2,1,1,4: ElkFS has one limit",
           c.dir() + "/mfsexports.cfg:2: minversion=3.0.0: not checked",
           c.dir() + "/mfsexports.cfg:2: canchangequota",
       }) {
    EXPECT_NE(master_log.find(want), std::string::npos) << want << "\n" << master_log;
  }
  const std::string cs_log = ReadAll(c.log("chunkserver0"));
  for (const std::string& want : std::vector<std::string>{
           "'<' " + disks.path + "/out: the disk takes no new chunks",
           "'>' " + disks.path + "/in: ignored",
           ":8: 'relative/disk' is not an absolute path (line skipped)",
           "unknown key ENABLE_LOAD_FACTOR",
       }) {
    EXPECT_NE(cs_log.find(want), std::string::npos) << want << "\n" << cs_log;
  }
  const std::string mount_log = ReadAll(c.log("mount"));
  EXPECT_NE(mount_log.find(mount_cfg + ":9: option 'mfsdelayedinit' ignored"), std::string::npos)
      << mount_log;
}

bool Mounted(const std::string& point) {
  return ReadAll("/proc/mounts").find(" " + point + " ") != std::string::npos;
}

TEST(MooseFsDropIn, FstabLineMountsWithMountA) {
  auto cluster = Cluster::Start({.chunkservers = 1});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;
  const std::string point = c.dir() + "/fstab-mnt";
  fs::create_directories(point);
  const std::string fstab = c.dir() + "/fstab";
  std::ofstream(fstab) << "# MooseFS's fstab line\n"
                       << Cluster::BinDir() << "/mfsmount " << point
                       << " fuse mfsmaster=127.0.0.1,mfsport=" << c.client_port()
                       << ",_netdev,nofail 0 0\n";
  // mount(8) runs /sbin/mount.fuse, which runs `SOURCE POINT -o OPTIONS` through /bin/sh
  // with mount's own clean PATH: the installed line says `mfsmount` (/usr/bin/mfsmount);
  // here the source is the built program's full path.
  const std::string cmd = "timeout 60 mount -T " + fstab + " -a > " + c.dir() + "/mount-a.log 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << ReadAll(c.dir() + "/mount-a.log");
  for (int i = 0; i < 100 && !Mounted(point); ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(Mounted(point)) << ReadAll(c.dir() + "/mount-a.log");
  std::ofstream(point + "/hello.txt") << "mounted from fstab";
  EXPECT_EQ(ReadAll(point + "/hello.txt"), "mounted from fstab");
  // The daemonized mfsmount ends with its mount.
  const std::string umount = "umount " + point + " || umount -l " + point;
  EXPECT_EQ(std::system(umount.c_str()), 0);
  for (int i = 0; i < 100 && Mounted(point); ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(Mounted(point));
}

}  // namespace
}  // namespace elk::test
