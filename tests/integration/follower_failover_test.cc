// Master fail-over by hand with a follower, on real programs: a leader, a follower master
// (own folder and ports, MASTER_FOLLOW), two chunkservers, a metalogger and a FUSE mount,
// all configured with the follower's ports. The follower sends each of them to the leader.
// Files are created, written, renamed and deleted through the mount; the follower replays
// every record, so its own files rebuild the leader's exact metadata. The leader is then
// killed -9 and the follower promoted (`mfsmaster reload` without MASTER_FOLLOW); the same
// mount, the chunkservers and the metalogger come back to it, and every file reads back.
//
// The second test gives every peer both masters, the leader first (MASTER_HOST list,
// mfsmount -H a,b): after the leader's kill and the follower's promotion they find the new
// leader by themselves, and the mount's session - a file open for writing, a lock - carries
// over to it (docs/failover.md, "Sessions across a fail-over").
//
// TwoFollowersBothHoldTheLeadersMetadata starts two followers (the harness's `followers`) and
// checks both hold the leader's metadata, the second also after a kill and a restart.

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "mount/client/master_session.h"
#include "tests/harness/cluster.h"
#include "tests/harness/metadata_files.h"
#include "tests/harness/poll.h"
#include "tests/harness/process.h"

namespace elk::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace fs = std::filesystem;

json Info(uint16_t port) {
  return MonitorInfo(port, 2s, 5s);
}

// Writes, fsyncs and closes, checking each: the mount reports a failed write-behind at
// fsync or close, which a stream would not.
bool WriteAll(const std::string& path, const std::string& data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::fsync(fd) == 0 && ok;
  return ::close(fd) == 0 && ok;
}

// DumpOfFolder, a failure of the tools reported.
std::string Dump(const Cluster& c, const std::string& data, const std::string& name) {
  auto d = DumpOfFolder(c, data, name);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : "";
}

using Files = std::map<std::string, std::string>;  // path under the mount -> content

// Some work through the mount: folders, files of up to 300 KB, a rename and a deletion in
// each round, and a folder made and removed.
void Work(const std::string& mnt, Files& files) {
  std::mt19937 rng(42);
  for (int round = 0; round < 6; ++round) {
    const std::string dir = fmt::format("d{}", round);
    ASSERT_TRUE(fs::create_directory(mnt + "/" + dir));
    for (int i = 0; i < 8; ++i) {
      std::string data(1000 + rng() % 300000, '\0');
      for (char& ch : data)
        ch = static_cast<char>(rng());
      const std::string name = fmt::format("{}/f{}", dir, i);
      ASSERT_TRUE(WriteAll(mnt + "/" + name, data)) << name;
      files[name] = data;
    }
    fs::rename(mnt + "/" + dir + "/f0", mnt + "/" + dir + "/renamed");
    files[dir + "/renamed"] = files[dir + "/f0"];
    files.erase(dir + "/f0");
    ASSERT_TRUE(fs::remove(mnt + "/" + dir + "/f1"));
    files.erase(dir + "/f1");
  }
  ASSERT_TRUE(fs::create_directory(mnt + "/gone"));
  ASSERT_TRUE(fs::remove(mnt + "/gone"));
}

// Everything was configured with the follower's ports: each peer is at the leader.
void ExpectPeersSentToTheLeader(Cluster& cl) {
  // The leader's metalogger port holds the metalogger and the follower itself.
  ASSERT_TRUE(WaitFor(
      [&] {
        const json i = Info(cl.http_port());
        return i["chunkservers"] == 2 && i["metaloggers"] == 2 && i["sessions"] >= 1;
      },
      60s))
      << Info(cl.http_port()).dump() << "\n"
      << ReadWholeFile(cl.log("follower"));
  const json leader = Info(cl.http_port());
  const json follower = Info(cl.follower_http_port());
  EXPECT_EQ(leader["role"], "leader");
  EXPECT_EQ(follower["role"], "follower");
  EXPECT_EQ(follower["chunkservers"], 0);
  EXPECT_EQ(follower["metaloggers"], 0);
  EXPECT_EQ(follower["sessions"], 0);
}

// Waits until follower i holds the leader's version; returns the leader's info then.
// Called when the work is done; the monitors publish a snapshot a second, so a wait of
// more than one first lets the leader's show its final version.
json WaitCaughtUp(Cluster& cl, int i = 0) {
  std::this_thread::sleep_for(1200ms);
  json leader, follower;
  const bool ok = WaitFor(
      [&] {
        leader = Info(cl.http_port());
        follower = Info(cl.follower_http_port(i));
        return !leader.empty() && leader["metadata_version"] == follower["metadata_version"] &&
               follower["lag_records"] == 0;
      },
      30s);
  EXPECT_TRUE(ok) << leader.dump() << "\n" << follower.dump();
  EXPECT_EQ(follower["role"], "follower");
  EXPECT_EQ(follower["leader_connected"], true);
  for (const char* key : {"files", "directories", "files_length", "chunks", "trash_files"})
    EXPECT_EQ(leader[key], follower[key]) << key;
  return leader;
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Kills the leader and promotes the follower. The same mount then reaches the promoted
// follower by itself (its first namespace request after the promotion must succeed: it
// waits for a master meanwhile); writes need the chunkservers back too. Prints the times.
void FailOver(Cluster& cl, const std::string& mnt) {
  const auto killed = Clock::now();
  cl.KillMaster();
  ASSERT_TRUE(cl.PromoteFollower().ok());
  ASSERT_TRUE(WaitFor([&] { return Info(cl.follower_http_port())["role"] == "leader"; }, 20s))
      << ReadWholeFile(cl.log("follower"));
  const double promoted = SecondsSince(killed);
  ASSERT_TRUE(fs::create_directory(mnt + "/after")) << ReadWholeFile(cl.log("mount"));
  const double mkdir = SecondsSince(killed);
  ASSERT_TRUE(WaitFor([&] { return Info(cl.follower_http_port())["chunkservers"] == 2; }, 60s))
      << Info(cl.follower_http_port()).dump();
  const double chunkservers = SecondsSince(killed);
  ASSERT_TRUE(WriteAll(mnt + "/after/file", "written after the failover"))
      << ReadWholeFile(cl.log("mount"));
  std::printf(
      "[ measured ] from the leader's kill -9: promoted %.2f s, a mkdir through the mount "
      "%.2f s, both chunkservers registered %.2f s, a write fsynced %.2f s\n",
      promoted, mkdir, chunkservers, SecondsSince(killed));
  EXPECT_EQ(ReadWholeFile(mnt + "/after/file"), "written after the failover");
}

TEST(FollowerFailover, PeersFollowTheLeaderAndAPromotedFollowerServesEveryFile) {
  auto c = Cluster::Start({.chunkservers = 2,
                           .metalogger = true,
                           .mount = true,
                           .follower = true,
                           .peers_at_follower = true});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Cluster& cl = **c;
  const std::string mnt = cl.mount_point();
  ASSERT_NO_FATAL_FAILURE(ExpectPeersSentToTheLeader(cl));

  Files files;
  ASSERT_NO_FATAL_FAILURE(Work(mnt, files));
  const json leader = WaitCaughtUp(cl);
  const uint64_t version = leader["metadata_version"].get<uint64_t>();
  // The follower's own files (its image of the leader's, its changelog) and the
  // metalogger's hold exactly the leader's metadata.
  ASSERT_TRUE(WaitFor(
      [&] { return LastChangelogVersion(cl.metalogger_data() + "/changelog_ml.0.mfs") >= version; },
      20s))
      << ReadWholeFile(cl.log("metalogger"));
  const std::string leader_dump = Dump(cl, cl.master_data(), "leader");
  EXPECT_GT(leader_dump.size(), 1000u);
  EXPECT_TRUE(leader_dump == Dump(cl, cl.follower_data(), "follower"))
      << "the follower's files differ from the leader's";
  EXPECT_TRUE(leader_dump == Dump(cl, cl.metalogger_data(), "metalogger"))
      << "the metalogger's files differ from the leader's";

  ASSERT_NO_FATAL_FAILURE(FailOver(cl, mnt));
  for (const auto& [name, data] : files)
    EXPECT_TRUE(ReadWholeFile(mnt + "/" + name) == data) << name;
  EXPECT_FALSE(fs::exists(mnt + "/d0/f1"));
  EXPECT_FALSE(fs::exists(mnt + "/gone"));
  // The metalogger came back to its MASTER_HOST and logs the new leader's records.
  const json now = Info(cl.follower_http_port());
  EXPECT_GT(now["metadata_version"].get<uint64_t>(), version);
  EXPECT_TRUE(WaitFor(
      [&] {
        return LastChangelogVersion(cl.metalogger_data() + "/changelog_ml.0.mfs") >=
               now["metadata_version"].get<uint64_t>();
      },
      30s))
      << ReadWholeFile(cl.log("metalogger"));
}

// Some names made and removed through a session of the leader, in folder `dir`.
void NameWork(client::MasterSession& s, const std::string& dir) {
  auto d = s.Mkdir(1, dir, 0755, 0, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(s.Create(d->inode, fmt::format("f{}", i), 0644, 0, {}).ok());
  for (int i = 0; i < 40; i += 3)
    ASSERT_TRUE(s.Unlink(d->inode, fmt::format("f{}", i), {}).ok());
}

// The harness's second follower: both follow the leader on their own ports and folders and
// hold its metadata; the second one, killed and restarted (-a), catches up again.
TEST(FollowerFailover, TwoFollowersBothHoldTheLeadersMetadata) {
  auto c = Cluster::Start({.chunkservers = 0, .followers = 2});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Cluster& cl = **c;
  ASSERT_EQ(cl.follower_count(), 2);
  EXPECT_NE(cl.follower_http_port(0), cl.follower_http_port(1));
  EXPECT_NE(cl.follower_data(0), cl.follower_data(1));
  auto s = client::MasterSession::Open({.host = "127.0.0.1", .port = cl.client_port()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NO_FATAL_FAILURE(NameWork(**s, "a"));
  WaitCaughtUp(cl, 0);
  WaitCaughtUp(cl, 1);

  cl.KillFollower(1);
  ASSERT_NO_FATAL_FAILURE(NameWork(**s, "b"));  // the first follower alone holds these
  ASSERT_TRUE(cl.StartFollower(1, /*auto_recover=*/true).ok())
      << ReadWholeFile(cl.log(Cluster::follower_name(1)));
  WaitCaughtUp(cl, 0);
  WaitCaughtUp(cl, 1);
  const std::string leader = Dump(cl, cl.master_data(), "leader");
  EXPECT_GT(leader.size(), 1000u);
  EXPECT_TRUE(leader == Dump(cl, cl.follower_data(0), "follower"))
      << "the first follower's files differ from the leader's";
  EXPECT_TRUE(leader == Dump(cl, cl.follower_data(1), "follower2"))
      << "the second follower's files differ from the leader's";
}

// Closes a descriptor however the test ends.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Whether another process (a child: fcntl locks belong to processes) can write-lock
// [start, start+len) of path through the mount: false when someone holds it.
bool OtherProcessCanLock(const std::string& path, off_t start, off_t len) {
  const pid_t child = ::fork();
  if (child == 0) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = start;
    fl.l_len = len;
    ::_exit(fd >= 0 && ::fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1);
  }
  if (child < 0) return false;
  int status = 0;
  for (int i = 0; i < 300 && ::waitpid(child, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(100ms);
  if (::waitpid(child, &status, WNOHANG) == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    ADD_FAILURE() << "the lock test's child did not finish in 30 s";
    return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string data(n, '\0');
  for (char& ch : data)
    ch = static_cast<char>(rng());
  return data;
}

TEST(FollowerFailover, PeersGivenBothMastersFindThePromotedFollowerAndKeepTheirSession) {
  auto c = Cluster::Start({.chunkservers = 2,
                           .metalogger = true,
                           .mount = true,
                           .follower = true,
                           .peers_at_both = true});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Cluster& cl = **c;
  const std::string mnt = cl.mount_point();
  // The leader is first in every list: everyone registers there directly.
  ASSERT_TRUE(WaitFor(
      [&] {
        const json i = Info(cl.http_port());
        return i["chunkservers"] == 2 && i["metaloggers"] == 2 && i["sessions"] >= 1;
      },
      60s))
      << Info(cl.http_port()).dump();

  // A file open for writing across the fail-over, with a lock on its first KiB.
  const std::string path = mnt + "/open-across";
  const std::string before = RandomBytes(300000, 1);
  const std::string after = RandomBytes(200000, 2);
  Fd file{::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  ASSERT_GE(file.fd, 0) << std::strerror(errno);
  ASSERT_EQ(::write(file.fd, before.data(), before.size()), static_cast<ssize_t>(before.size()));
  ASSERT_EQ(::fsync(file.fd), 0) << std::strerror(errno);
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_len = 1024;
  ASSERT_EQ(::fcntl(file.fd, F_SETLK, &fl), 0) << std::strerror(errno);
  EXPECT_FALSE(OtherProcessCanLock(path, 0, 1024));
  WaitCaughtUp(cl);

  const auto killed = Clock::now();
  cl.KillMaster();
  ASSERT_TRUE(cl.PromoteFollower().ok());
  ASSERT_TRUE(WaitFor([&] { return Info(cl.follower_http_port())["role"] == "leader"; }, 20s))
      << ReadWholeFile(cl.log("follower"));
  // The descriptor opened on the old leader writes on the new one.
  ASSERT_EQ(::write(file.fd, after.data(), after.size()), static_cast<ssize_t>(after.size()))
      << std::strerror(errno) << "\n"
      << ReadWholeFile(cl.log("mount"));
  ASSERT_EQ(::fsync(file.fd), 0) << std::strerror(errno) << "\n" << ReadWholeFile(cl.log("mount"));
  const double written = SecondsSince(killed);
  // The lock came along (reclaimed by the session), and a free range is still free.
  EXPECT_FALSE(OtherProcessCanLock(path, 0, 1024)) << ReadWholeFile(cl.log("follower"));
  EXPECT_TRUE(OtherProcessCanLock(path, 4096, 1024));
  ASSERT_TRUE(WaitFor(
      [&] {
        const json i = Info(cl.follower_http_port());
        return i["chunkservers"] == 2 && i["metaloggers"] == 1;
      },
      60s))
      << Info(cl.follower_http_port()).dump() << "\n"
      << ReadWholeFile(cl.log("metalogger"));
  std::printf(
      "[ measured ] from the leader's kill -9: the open file written and fsynced %.2f s, both "
      "chunkservers and the metalogger registered %.2f s\n",
      written, SecondsSince(killed));
  ASSERT_EQ(::close(file.fd), 0) << std::strerror(errno);
  file.fd = -1;
  EXPECT_TRUE(ReadWholeFile(path) == before + after) << "the file does not read back";
  EXPECT_EQ(Info(cl.follower_http_port())["sessions"], 1) << "the mount kept its session";
  // Kept, not replaced by a new one that happens to get the same id (both are 1 here).
  EXPECT_NE(ReadWholeFile(cl.log("follower")).find("1 sessions with open files adopted"),
            std::string::npos)
      << ReadWholeFile(cl.log("follower"));
  // The metalogger logs the new leader's records.
  const uint64_t now = Info(cl.follower_http_port())["metadata_version"].get<uint64_t>();
  EXPECT_TRUE(WaitFor(
      [&] { return LastChangelogVersion(cl.metalogger_data() + "/changelog_ml.0.mfs") >= now; },
      30s))
      << ReadWholeFile(cl.log("metalogger"));
}

}  // namespace
}  // namespace elk::test
