// What a client may read, write and copy is decided by the master on every path (issue 17,
// part 2; docs/security.md "What a client can and cannot do"), against the real programs:
// a user's mfsmakesnapshot of another user's private folder is refused and makes nothing,
// and a rogue client speaking the wire protocol gets no chunk of a file it did not open,
// of a file outside its folder, or to write on a read-only export.
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/crc/crc32c.h"
#include "master/server/test_peers.h"
#include "tests/harness/cluster.h"

namespace elk::test {
namespace {

namespace proto = protocol;
using master::test::TestClient;
using namespace std::chrono_literals;

constexpr uid_t kAlice = 1001;
constexpr uid_t kBob = 1002;

// Exports tried in order: a read-only /pub, a confined /tenant, then the whole tree and the
// meta file system (the mount's).
constexpr char kExports[] =
    "127.0.0.1 /pub ro,maproot=0\n"
    "127.0.0.1 /tenant rw,maproot=0\n"
    "127.0.0.1 / rw,alldirs,maproot=0\n"
    "127.0.0.1 . rw\n";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ToolRun {
  int exit_code = -1;  // -1: did not finish in time, or was killed
  std::string output;  // stdout and stderr
};

// Runs a built program as uid:uid (its own group only), its output in `out_path`; killed
// after 30 s. The strings are made before the fork: the child only calls the system.
ToolRun RunAs(uid_t uid, const std::vector<std::string>& argv, const std::string& out_path) {
  const int out = ::open(out_path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (out < 0) return {};
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const gid_t gid = uid;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (::setgroups(1, &gid) == 0 && ::setgid(gid) == 0 && ::setuid(uid) == 0) {
      ::execv(args[0], args.data());
    }
    ::_exit(127);
  }
  ::close(out);
  ToolRun run;
  if (pid < 0) return run;
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + 30s;
  pid_t done = 0;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(20ms);
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  } else if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  }
  run.output = ReadText(out_path);
  return run;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

class HostileAccess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    ASSERT_EQ(::geteuid(), 0u) << "the test mounts as root and acts as other users";
    auto c = Cluster::Start({.chunkservers = 1, .mount = true, .exports = kExports});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c).release();
    // mkdtemp made the folder 0700: the other users must reach the mount.
    ASSERT_EQ(::chmod(cluster_->dir().c_str(), 0755), 0) << std::strerror(errno);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }

  static std::string P(const std::string& rel) { return cluster_->mount_point() + "/" + rel; }
  // A folder made through the mount by root, then given to uid with `mode`.
  static void Folder(const std::string& rel, uid_t uid, mode_t mode) {
    ASSERT_EQ(::mkdir(P(rel).c_str(), 0700), 0) << rel << ": " << std::strerror(errno);
    ASSERT_EQ(::chown(P(rel).c_str(), uid, uid), 0) << std::strerror(errno);
    ASSERT_EQ(::chmod(P(rel).c_str(), mode), 0) << std::strerror(errno);
  }
  // A file written through the mount by root, then given to uid with `mode`.
  static void File(const std::string& rel, const std::string& data, uid_t uid, mode_t mode) {
    std::ofstream(P(rel), std::ios::binary) << data;
    ASSERT_EQ(::chown(P(rel).c_str(), uid, uid), 0) << std::strerror(errno);
    ASSERT_EQ(::chmod(P(rel).c_str(), mode), 0) << std::strerror(errno);
  }
  // A rogue client: a session registered by hand on `folder`.
  static TestClient Rogue(const std::string& folder) {
    TestClient c;
    EXPECT_TRUE(c.Hello(cluster_->client_port()).ok());
    auto reg = c.Register(folder);
    EXPECT_TRUE(reg.ok()) << folder << ": " << reg.status().ToString();
    return c;
  }
  static uint32_t InodeOf(TestClient& c, uint32_t parent, const std::string& name) {
    auto a = c.Call<proto::MatoclLookup>(proto::CltomaLookup{0, parent, name, {}});
    EXPECT_TRUE(a.ok()) << name << ": " << a.status().ToString();
    return a.ok() ? a->attr.inode : 0;
  }

  static Cluster* cluster_;
};

Cluster* HostileAccess::cluster_ = nullptr;

Code ReadChunk(TestClient& c, uint32_t inode) {
  return c.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, inode, 0}).code();
}
Code WriteChunk(TestClient& c, uint32_t inode) {
  return c.Call<proto::MatoclWriteChunk>(proto::CltomaWriteChunk{0, inode, 0}).code();
}
Code Open(TestClient& c, uint32_t inode, uint8_t flags, proto::Creds creds = {}) {
  return c.Call<proto::MatoclOpen>(proto::CltomaOpen{0, inode, flags, creds}).code();
}

// (a) mfsmakesnapshot run by bob, on a root mount, of alice's 0700 folder: refused, nothing
// made; the same tool copies bob's own folder (so the refusal is the rule, not the tool).
TEST_F(HostileAccess, SnapshotOfAnotherUsersPrivateFolderIsRefused) {
  Folder("alice", kAlice, 0700);
  File("alice/diary", "alice's secret", kAlice, 0600);
  Folder("bob", kBob, 0755);
  Folder("bob/own", kBob, 0755);
  File("bob/own/notes", "bob's", kBob, 0644);
  const std::string tool = Cluster::BinDir() + "/mfsmakesnapshot";
  ASSERT_TRUE(Exists(tool)) << tool;
  const std::string out = cluster_->dir() + "/snapshot.out";

  ToolRun stolen = RunAs(kBob, {tool, P("alice"), P("bob/stolen")}, out);
  EXPECT_NE(stolen.exit_code, 0) << stolen.output;
  EXPECT_NE(stolen.output.find("ermission denied"), std::string::npos) << stolen.output;
  EXPECT_FALSE(Exists(P("bob/stolen"))) << "the refused snapshot made something";
  // Not as a file into a folder bob owns either.
  ToolRun file = RunAs(kBob, {tool, P("alice/diary"), P("bob/diary")}, out);
  EXPECT_NE(file.exit_code, 0) << file.output;
  EXPECT_FALSE(Exists(P("bob/diary")));

  ToolRun own = RunAs(kBob, {tool, P("bob/own"), P("bob/copy")}, out);
  EXPECT_EQ(own.exit_code, 0) << own.output;
  EXPECT_EQ(ReadText(P("bob/copy/notes")), "bob's");
  EXPECT_EQ(ReadText(P("alice/diary")), "alice's secret");
}

// (b) A session on a subfolder, by inode number: nothing outside its folder; inside, a
// chunk only of what it opened, and a write only of what it opened for writing.
TEST_F(HostileAccess, ARogueClientGetsNoChunkItDidNotOpenOrOutsideItsFolder) {
  Folder("tenant", 0, 0777);
  File("tenant/inside", std::string(100000, 'i'), 0, 0666);
  File("secret", std::string(100000, 's'), 0, 0600);
  TestClient whole = Rogue("/");
  const uint32_t tenant = InodeOf(whole, 1, "tenant");
  const uint32_t secret = InodeOf(whole, 1, "secret");
  const uint32_t inside = InodeOf(whole, tenant, "inside");
  ASSERT_NE(secret, 0u);
  ASSERT_NE(inside, 0u);

  TestClient rogue = Rogue("/tenant");
  EXPECT_EQ(ReadChunk(rogue, secret), Code::kNoEnt);
  EXPECT_EQ(WriteChunk(rogue, secret), Code::kNoEnt);
  EXPECT_EQ(Open(rogue, secret, proto::kOpenRead), Code::kNoEnt);
  EXPECT_EQ(rogue.Call<proto::MatoclChunkInfo>(proto::CltomaChunkInfo{0, secret, 0}).code(),
            Code::kNoEnt);
  EXPECT_EQ(ReadChunk(rogue, inside), Code::kNotOpened);
  EXPECT_EQ(WriteChunk(rogue, inside), Code::kNotOpened);
  ASSERT_EQ(Open(rogue, inside, proto::kOpenRead), Code::kOk);
  auto loc = rogue.Call<proto::MatoclReadChunk>(proto::CltomaReadChunk{0, inside, 0});
  ASSERT_TRUE(loc.ok()) << loc.status().ToString();
  EXPECT_NE(loc->location.chunkid, 0u);
  EXPECT_EQ(WriteChunk(rogue, inside), Code::kNotOpened);
  ASSERT_TRUE(rogue.Do(proto::CltomaRelease{0, inside}).ok());
  EXPECT_EQ(ReadChunk(rogue, inside), Code::kNotOpened);

  // On the whole tree, a session that never opened the secret (root's, 0600) gets nothing
  // of it either, and as another user cannot open it or claim a descriptor to truncate it.
  const proto::Creds bob{kBob, kBob, {kBob}};
  EXPECT_EQ(ReadChunk(whole, secret), Code::kNotOpened);
  EXPECT_EQ(WriteChunk(whole, secret), Code::kNotOpened);
  EXPECT_EQ(Open(whole, secret, proto::kOpenRead, bob), Code::kAccess);
  proto::CltomaSetattr cut{0, secret, bob};
  cut.length = 0;
  cut.flags = proto::kSetattrOpenForWrite;
  EXPECT_EQ(whole.Call<proto::MatoclSetattr>(cut).code(), Code::kAccess);
  EXPECT_EQ(ReadText(P("secret")), std::string(100000, 's'));
  EXPECT_EQ(ReadText(P("tenant/inside")), std::string(100000, 'i'));
}

// (b) On a read-only export, a write grant is refused whatever the session opened.
TEST_F(HostileAccess, ARogueClientOnAReadOnlyExportGetsNoWriteGrant) {
  Folder("pub", 0, 0755);
  File("pub/doc", std::string(70000, 'p'), 0, 0644);
  TestClient whole = Rogue("/");
  const uint32_t doc = InodeOf(whole, InodeOf(whole, 1, "pub"), "doc");
  ASSERT_NE(doc, 0u);

  TestClient rogue = Rogue("/pub");
  EXPECT_EQ(WriteChunk(rogue, doc), Code::kReadOnly);
  EXPECT_EQ(Open(rogue, doc, proto::kOpenRead | proto::kOpenWrite), Code::kReadOnly);
  ASSERT_EQ(Open(rogue, doc, proto::kOpenRead), Code::kOk);
  EXPECT_EQ(ReadChunk(rogue, doc), Code::kOk);
  EXPECT_EQ(WriteChunk(rogue, doc), Code::kReadOnly);
  EXPECT_EQ(ReadText(P("pub/doc")), std::string(70000, 'p'));
}

// mfscopygoal and mfscopytrashtime through the real mount: the source's value lands on each
// destination, a destination that does not exist is reported while the others go on (exit
// 1), and another user's copy onto root's files is refused as MooseFS 3 refuses it: one node
// "Operation not permitted", a tree counted as denied.
TEST_F(HostileAccess, CopyGoalAndTrashTimeOnlyWhereAllowed) {
  Folder("cdir", 0, 0755);
  File("cdir/src", "s", 0, 0644);
  File("cdir/dst", "d", 0, 0644);
  const std::string bin = Cluster::BinDir();
  ASSERT_TRUE(Exists(bin + "/mfscopygoal")) << bin;
  ASSERT_TRUE(Exists(bin + "/mfscopytrashtime")) << bin;
  const std::string out = cluster_->dir() + "/copy.out";
  ASSERT_EQ(RunAs(0, {bin + "/mfssetgoal", "3", P("cdir/src")}, out).exit_code, 0);
  // stderr is tied to stdout: the lines come in MooseFS's order.
  ToolRun run =
      RunAs(0, {bin + "/mfscopygoal", P("cdir/src"), P("cdir/nothere"), P("cdir/dst")}, out);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(run.output, P("cdir/src") + ": 3\n" + P("cdir/nothere") +
                            ": No such file or directory\n" + P("cdir/dst") + ": goal: 3\n");
  run = RunAs(0, {bin + "/mfsgetgoal", P("cdir/dst")}, out);
  EXPECT_EQ(run.output, P("cdir/dst") + ": 3\n");

  ASSERT_EQ(RunAs(0, {bin + "/mfssettrashtime", "7200", P("cdir/src")}, out).exit_code, 0);
  run = RunAs(0, {bin + "/mfscopytrashtime", "-r", P("cdir/src"), P("cdir")}, out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, P("cdir/src") + ": 7200\n" + P("cdir") +
                            ":\n"
                            " inodes with trashtime changed:              2\n"
                            " inodes with trashtime not changed:          1\n"
                            " inodes with permission denied:              0\n");

  ASSERT_EQ(RunAs(0, {bin + "/mfssetgoal", "1", P("cdir/src")}, out).exit_code, 0);
  run = RunAs(kAlice, {bin + "/mfscopygoal", P("cdir/src"), P("cdir/dst")}, out);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(run.output, P("cdir/src") + ": 1\n" + P("cdir/dst") + ": Operation not permitted\n");
  run = RunAs(kAlice, {bin + "/mfscopygoal", "-r", P("cdir/src"), P("cdir")}, out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, P("cdir/src") + ": 1\n" + P("cdir") +
                            ":\n"
                            " inodes with goal changed:                       0\n"
                            " inodes with goal not changed:                   0\n"
                            " inodes with permission denied:                  3\n");
  run = RunAs(0, {bin + "/mfsgetgoal", P("cdir/dst")}, out);
  EXPECT_EQ(run.output, P("cdir/dst") + ": 3\n");
}

}  // namespace
}  // namespace elk::test

namespace elk::test {
namespace {

// mfsdirinfo through the real mount on a chain of 5,000 folders (deeper than PATH_MAX, so
// made with mkdirat): the master sums it in one request and every level counts.
TEST_F(HostileAccess, MfsdirinfoCountsEveryLevelOfA5000DeepChain) {
  constexpr int kLevels = 5000;
  ASSERT_EQ(::mkdir(P("deep").c_str(), 0755), 0) << std::strerror(errno);
  int fd = ::open(P("deep").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  for (int level = 1; level < kLevels; ++level) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0) << level << ": " << std::strerror(errno);
    const int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    ASSERT_GE(next, 0) << level << ": " << std::strerror(errno);
    fd = next;
  }
  ::close(fd);
  const std::string tool = Cluster::BinDir() + "/mfsdirinfo";
  ASSERT_TRUE(Exists(tool)) << tool;
  ToolRun run = RunAs(0, {tool, "-i", "-d", "-f", P("deep")}, cluster_->dir() + "/dirinfo.out");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, fmt::format("{}\t{}\t0\t{}\n", kLevels, kLevels, P("deep")));
}

// mfsfilepaths through the real mount: every link of a file, then the file in trash.
TEST_F(HostileAccess, MfsfilepathsNamesEveryLinkAndTheTrash) {
  ASSERT_EQ(::mkdir(P("pdir").c_str(), 0755), 0) << std::strerror(errno);
  const int fd = ::open(P("pfile").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ::close(fd);
  ASSERT_EQ(::link(P("pfile").c_str(), P("pdir/again").c_str()), 0) << std::strerror(errno);
  const std::string tool = Cluster::BinDir() + "/mfsfilepaths";
  ASSERT_TRUE(Exists(tool)) << tool;
  const std::string out = cluster_->dir() + "/paths.out";
  ToolRun run = RunAs(0, {tool, P("pfile"), P("pdir")}, out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, P("pfile") + ":\npfile\npdir/again\n" + P("pdir") + ":\npdir\n");
  struct stat st {};
  ASSERT_EQ(::stat(P("pfile").c_str(), &st), 0);
  ASSERT_EQ(::unlink(P("pfile").c_str()), 0);
  ASSERT_EQ(::unlink(P("pdir/again").c_str()), 0);
  // The last link gone, the node number still names the file, now in trash.
  run = RunAs(
      0, {"/bin/sh", "-c", "cd " + P("pdir") + " && " + tool + " " + std::to_string(st.st_ino)},
      out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, std::to_string(st.st_ino) + ":\n./TRASH (pdir/again)\n");
}

// MooseFS's digest of a copy as ElkFS's chunkservers keep it: the MD5 of the CRC-32C of
// each 64 KiB block (zero-padded), 4 bytes each, big-endian. Computed here on its own.
std::string ExpectedDigest(const std::string& data) {
  std::vector<uint8_t> crcs;
  for (size_t at = 0; at < data.size(); at += 65536) {
    std::string block = data.substr(at, 65536);
    block.resize(65536, '\0');
    const uint32_t crc = crc::Crc32c(0, block.data(), block.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      crcs.push_back(static_cast<uint8_t>(crc >> shift));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(crcs.data(), crcs.size(), md, &len, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i)
    hex += fmt::format("{:02X}", md[i]);
  return hex;
}

// mfsfileinfo -c / -s and mfsfilerepair through the real mount: the checksums come from the
// chunkserver (CLTOCS_GET_CHECKSUMS), the repair from the master (CLTOMA_REPAIR).
TEST_F(HostileAccess, FileinfoChecksumsAndRepairThroughTheMount) {
  std::string data;
  while (data.size() < 200000)
    data += "old\n";
  data.resize(200000);
  {
    std::ofstream f(P("sums.bin"), std::ios::binary);
    f << data;
    ASSERT_TRUE(f.good());
  }
  const std::string fileinfo = Cluster::BinDir() + "/mfsfileinfo";
  const std::string out = cluster_->dir() + "/sums.out";
  ToolRun run = RunAs(0, {fileinfo, "-c", "-s", P("sums.bin")}, out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const std::string digest = ExpectedDigest(data);
  EXPECT_NE(run.output.find(" (status:VALID ; blocks: 4 ; checksum digest: " + digest + ")\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find(P("sums.bin") + " signature: " + digest + "\n"), std::string::npos)
      << run.output;

  const std::string repair = Cluster::BinDir() + "/mfsfilerepair";
  ASSERT_TRUE(Exists(repair)) << repair;
  run = RunAs(0, {repair, P("sums.bin")}, out);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, P("sums.bin") +
                            ":\n chunks not changed:          1\n chunks erased:               "
                            "0\n chunks repaired:             0\n");
  // Another user may not repair root's file.
  run = RunAs(1000, {repair, P("sums.bin")}, out);
  EXPECT_EQ(run.exit_code, 1) << run.output;
}

}  // namespace
}  // namespace elk::test
