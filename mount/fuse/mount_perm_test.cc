// POSIX permission rules through the real kernel mount, as root and as other users: a forked
// child drops to another uid/gid (setgroups, setgid, setuid), makes one call and reports its
// errno through a pipe. The mount is made by root, as the harness does. Fails (never skips)
// without FUSE. The model these tests hold the mount to is docs/permissions.md.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tests/harness/cluster.h"

namespace elk {
namespace {

struct User {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};
const User kAlice{1001, 1001, {1001, 1005}};
const User kBob{1002, 1002, {1002}};
const User kNobody{65534, 65534, {}};

// Runs `call` in a child as `who`; returns 0 or the errno it failed with (-1: the child
// could not become `who`, or died). `call` returns 0 or an errno. Only plain system calls
// run in the child: the strings it uses are made before the fork.
int As(const User& who, const std::function<int()>& call) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::close(fds[0]);
    int result = -1;
    if (::setgroups(who.groups.size(), who.groups.data()) == 0 && ::setgid(who.gid) == 0 &&
        ::setuid(who.uid) == 0) {
      result = call();
    }
    (void)!::write(fds[1], &result, sizeof(result));
    ::_exit(0);
  }
  ::close(fds[1]);
  int result = -1;
  if (::read(fds[0], &result, sizeof(result)) != sizeof(result)) result = -1;
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return result;
}

int Errno(int rc) {
  return rc == 0 ? 0 : errno;
}

int OpenClose(const char* path, int flags) {
  const int fd = ::open(path, flags);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0177777;
  return st.st_mode & 07777;
}

class MountPermTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    ASSERT_EQ(::geteuid(), 0u) << "these tests mount as root and act as other users";
    auto c = test::Cluster::Start({.chunkservers = 1, .mount = true});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c).release();
    // mkdtemp made the cluster's folder 0700: other users must be able to reach the mount.
    ASSERT_EQ(::chmod(cluster_->dir().c_str(), 0755), 0) << std::strerror(errno);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "the cluster did not start"; }
  std::string P(const std::string& rel) const { return cluster_->mount_point() + "/" + rel; }

  // A folder of the test's own, mode 0777 unless told, owned by root.
  std::string Dir(const std::string& name, mode_t mode = 0777) const {
    const std::string d = P(name);
    EXPECT_EQ(::mkdir(d.c_str(), 0700), 0) << d << ": " << std::strerror(errno);
    EXPECT_EQ(::chmod(d.c_str(), mode), 0) << std::strerror(errno);
    return d;
  }
  // A file made by root, then given to uid:gid with `mode`.
  static void File(const std::string& path, mode_t mode, uid_t uid = 0, gid_t gid = 0) {
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
    ASSERT_EQ(::write(fd, "data", 4), 4);
    ASSERT_EQ(::close(fd), 0);
    ASSERT_EQ(::chown(path.c_str(), uid, gid), 0) << std::strerror(errno);
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << std::strerror(errno);
  }

  static test::Cluster* cluster_;
};
test::Cluster* MountPermTest::cluster_ = nullptr;

TEST_F(MountPermTest, AnotherUserEntersARootMount) {
  const std::string root = cluster_->mount_point();
  const std::string dir = Dir("enter", 0755);
  EXPECT_EQ(As(kNobody,
               [&] {
                 struct stat st {};
                 return Errno(::stat(root.c_str(), &st));
               }),
            0);
  EXPECT_EQ(As(kNobody, [&] { return OpenClose(dir.c_str(), O_RDONLY | O_DIRECTORY); }), 0);
}

TEST_F(MountPermTest, ChownByNonOwnerIsRefusedEvenToTheSameIds) {
  const std::string f = Dir("chown") + "/f";
  File(f, 0644, kAlice.uid, kAlice.gid);
  EXPECT_EQ(As(kBob, [&] { return Errno(::chown(f.c_str(), kAlice.uid, kAlice.gid)); }), EPERM);
  EXPECT_EQ(As(kBob, [&] { return Errno(::chown(f.c_str(), static_cast<uid_t>(-1), kAlice.gid)); }),
            EPERM);
  EXPECT_EQ(As(kBob, [&] { return Errno(::chown(f.c_str(), kAlice.uid, static_cast<gid_t>(-1))); }),
            EPERM);
  // The owner may "chown" to itself and chgrp to a group it belongs to, no further.
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chown(f.c_str(), kAlice.uid, kAlice.gid)); }), 0);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chown(f.c_str(), static_cast<uid_t>(-1), 1005)); }), 0);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chown(f.c_str(), static_cast<uid_t>(-1), 1003)); }),
            EPERM);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chown(f.c_str(), kBob.uid, static_cast<gid_t>(-1))); }),
            EPERM);
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kAlice.uid);
  EXPECT_EQ(st.st_gid, 1005u);
}

TEST_F(MountPermTest, RevokedSearchPermissionIsEnforcedAtOnce) {
  const std::string d = Dir("search", 0755);
  const std::string f = d + "/f";
  const std::string other = P("search-link");
  File(f, 0666);
  // Alice reaches the file once, so the kernel holds its entry and attributes.
  ASSERT_EQ(As(kAlice, [&] { return OpenClose(f.c_str(), O_RDWR); }), 0);
  ASSERT_EQ(::chmod(d.c_str(), 0700), 0);
  EXPECT_EQ(As(kAlice, [&] { return OpenClose(f.c_str(), O_RDONLY); }), EACCES);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::truncate(f.c_str(), 0)); }), EACCES);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chmod(f.c_str(), 0777)); }), EACCES);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::link(f.c_str(), other.c_str())); }), EACCES);
  EXPECT_EQ(ModeOf(f), 0666u);
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4);
  // Given back, the search works again at once.
  ASSERT_EQ(::chmod(d.c_str(), 0711), 0);
  EXPECT_EQ(As(kAlice, [&] { return OpenClose(f.c_str(), O_RDONLY); }), 0);
}

TEST_F(MountPermTest, NonOwnerWriteAndTruncateClearSetuidAndSetgid) {
  const std::string d = Dir("suid");
  const std::string w = d + "/written";
  const std::string t = d + "/truncated";
  const std::string nogx = d + "/setgid-no-group-exec";
  File(w, 06777);
  File(t, 06777);
  File(nogx, 02666);
  EXPECT_EQ(As(kAlice,
               [&] {
                 const int fd = ::open(w.c_str(), O_WRONLY);
                 if (fd < 0) return errno;
                 const int rc = ::write(fd, "xy", 2) == 2 ? 0 : errno;
                 ::close(fd);
                 return rc;
               }),
            0);
  EXPECT_EQ(ModeOf(w), 0777u);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::truncate(t.c_str(), 1)); }), 0);
  EXPECT_EQ(ModeOf(t), 0777u);
  // Without group-exec, setgid is not an exec privilege: a write through FUSE keeps it.
  EXPECT_EQ(As(kAlice,
               [&] {
                 const int fd = ::open(nogx.c_str(), O_WRONLY);
                 if (fd < 0) return errno;
                 const int rc = ::write(fd, "xy", 2) == 2 ? 0 : errno;
                 ::close(fd);
                 return rc;
               }),
            0);
  EXPECT_EQ(ModeOf(nogx), 02666u);
  // Root's own write keeps them (CAP_FSETID).
  const std::string r = d + "/root-written";
  File(r, 06755);
  const int fd = ::open(r.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "z", 1), 1);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(ModeOf(r), 06755u);
}

TEST_F(MountPermTest, ChownClearsSetuidAndChmodByNonMemberClearsSetgid) {
  const std::string d = Dir("sgid");
  const std::string f = d + "/f";
  File(f, 06755);
  ASSERT_EQ(::chown(f.c_str(), kAlice.uid, kAlice.gid), 0);
  EXPECT_EQ(ModeOf(f), 0755u);
  // Alice owns the file, but its group is one she is not in: her setgid does not hold.
  ASSERT_EQ(::chown(f.c_str(), kAlice.uid, 1003), 0);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chmod(f.c_str(), 02755)); }), 0);
  EXPECT_EQ(ModeOf(f), 0755u);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::chmod(f.c_str(), 04755)); }), 0);
  EXPECT_EQ(ModeOf(f), 04755u);
}

TEST_F(MountPermTest, FtruncateJudgesTheDescriptorNotTheMode) {
  const std::string f = Dir("ftrunc") + "/mode0";
  EXPECT_EQ(As(kAlice,
               [&] {
                 const int fd = ::open(f.c_str(), O_CREAT | O_RDWR | O_EXCL, 0);
                 if (fd < 0) return errno;
                 int rc = ::write(fd, "abcdef", 6) == 6 ? 0 : errno;
                 if (rc == 0 && ::ftruncate(fd, 2) != 0) rc = errno;
                 if (rc == 0 && ::ftruncate(fd, 100) != 0) rc = errno;
                 if (rc == 0 && ::fallocate(fd, 0, 0, 4096) != 0) rc = errno;
                 ::close(fd);
                 return rc;
               }),
            0);
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4096);
  EXPECT_EQ(st.st_mode & 07777, 0u);
  // The mode still holds for a new open by name.
  EXPECT_EQ(As(kAlice, [&] { return OpenClose(f.c_str(), O_WRONLY); }), EACCES);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::truncate(f.c_str(), 0)); }), EACCES);
}

TEST_F(MountPermTest, UtimeNowNeedsWriteAndExplicitTimesNeedTheOwner) {
  const std::string d = Dir("utime");
  const std::string writable = d + "/writable";
  const std::string readonly = d + "/readonly";
  File(writable, 0666, kAlice.uid, kAlice.gid);
  File(readonly, 0644, kAlice.uid, kAlice.gid);
  const timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  const timespec explicit_times[2] = {{1000000, 0}, {2000000, 0}};
  EXPECT_EQ(As(kBob, [&] { return Errno(::utimensat(AT_FDCWD, writable.c_str(), now, 0)); }), 0);
  EXPECT_EQ(
      As(kBob, [&] { return Errno(::utimensat(AT_FDCWD, writable.c_str(), explicit_times, 0)); }),
      EPERM);
  EXPECT_EQ(As(kBob, [&] { return Errno(::utimensat(AT_FDCWD, readonly.c_str(), now, 0)); }),
            EACCES);
  EXPECT_EQ(
      As(kAlice, [&] { return Errno(::utimensat(AT_FDCWD, readonly.c_str(), explicit_times, 0)); }),
      0);
  struct stat st {};
  ASSERT_EQ(::stat(readonly.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 2000000);
  ASSERT_EQ(::stat(writable.c_str(), &st), 0);
  EXPECT_GT(st.st_mtime, 2000000);
}

TEST_F(MountPermTest, StickyFolderKeepsOthersFromRemovingOrRenaming) {
  const std::string d = Dir("sticky", 01777);
  const std::string a = d + "/alice";
  const std::string b = d + "/bobs";
  ASSERT_EQ(As(kAlice, [&] { return OpenClose(a.c_str(), O_CREAT | O_WRONLY); }), 0);
  EXPECT_EQ(As(kBob, [&] { return Errno(::unlink(a.c_str())); }), EPERM);
  EXPECT_EQ(As(kBob, [&] { return Errno(::rename(a.c_str(), b.c_str())); }), EPERM);
  ASSERT_EQ(As(kBob, [&] { return OpenClose(b.c_str(), O_CREAT | O_WRONLY); }), 0);
  // Nor over another's name.
  EXPECT_EQ(As(kBob, [&] { return Errno(::rename(b.c_str(), a.c_str())); }), EPERM);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::unlink(a.c_str())); }), 0);
  // The folder's owner may: a sticky folder of Alice's.
  const std::string own = Dir("sticky-alice", 01777);
  ASSERT_EQ(::chown(own.c_str(), kAlice.uid, kAlice.gid), 0);
  const std::string bf = own + "/bobs";
  ASSERT_EQ(As(kBob, [&] { return OpenClose(bf.c_str(), O_CREAT | O_WRONLY); }), 0);
  EXPECT_EQ(As(kAlice, [&] { return Errno(::unlink(bf.c_str())); }), 0);
}

TEST_F(MountPermTest, FifoOpenNeedsReadOrWritePermission) {
  const std::string d = Dir("fifo", 0755);
  const std::string priv = d + "/private";
  const std::string shared = d + "/shared";
  ASSERT_EQ(::mkfifo(priv.c_str(), 0600), 0) << std::strerror(errno);
  ASSERT_EQ(::mkfifo(shared.c_str(), 0644), 0) << std::strerror(errno);
  ASSERT_EQ(::chmod(shared.c_str(), 0644), 0);
  EXPECT_EQ(As(kAlice, [&] { return OpenClose(priv.c_str(), O_RDONLY | O_NONBLOCK); }), EACCES);
  EXPECT_EQ(As(kAlice, [&] { return OpenClose(shared.c_str(), O_RDONLY | O_NONBLOCK); }), 0);
  // O_WRONLY|O_NONBLOCK without a reader is ENXIO once permitted: EACCES comes first.
  EXPECT_EQ(As(kAlice, [&] { return OpenClose(shared.c_str(), O_WRONLY | O_NONBLOCK); }), EACCES);
}

}  // namespace
}  // namespace elk
