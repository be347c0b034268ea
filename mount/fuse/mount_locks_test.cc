// Locks across mounts (docs/locks.md): two mounts of one cluster, each its own mfsmount and
// session, and processes on each. flock and fcntl locks taken through one mount are seen by
// the other; a blocked waiter is woken by the release or ended by a signal; a killed
// process, a killed mount and a master restart each do what docs/locks.md says. Every wait
// is bounded (alarm in the children, polls with deadlines here). Fails (never skips)
// without FUSE.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/cluster.h"

namespace elk {
namespace {

using namespace std::chrono_literals;

// A one-byte channel between the test and a child, with a bounded wait.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(fd), 0); }
  ~Pipe() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
  void Put(char c) const { EXPECT_EQ(::write(fd[1], &c, 1), 1); }
  // The next byte, or 0 when none came within `timeout`.
  char Get(std::chrono::milliseconds timeout = 10s) const {
    pollfd p{fd[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return 0;
    char c = 0;
    return ::read(fd[0], &c, 1) == 1 ? c : 0;
  }
};

// Runs `fn` in a child, which exits with its result; alarm() bounds its life.
pid_t Child(const std::function<int()>& fn, unsigned max_seconds = 30) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::alarm(max_seconds);
    ::_exit(fn());
  }
  return pid;
}

// The child's exit code; -1 (and the child killed) when it did not end within `timeout`.
int Reap(pid_t pid, std::chrono::milliseconds timeout = 15s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(20ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

bool Exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

// flock on a fresh descriptor of `path`; the errno (0: taken). The descriptor stays open
// (and the lock held) in `*keep` when given.
int FlockOn(const std::string& path, int op, int* keep = nullptr) {
  const int fd = ::open(path.c_str(), O_RDWR);
  if (fd < 0) return errno;
  const int r = ::flock(fd, op) == 0 ? 0 : errno;
  if (keep != nullptr && r == 0) {
    *keep = fd;
  } else {
    ::close(fd);
  }
  return r;
}

int Fcntl(int fd, int cmd, short type, off_t start, off_t len) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = len;
  return ::fcntl(fd, cmd, &l) == 0 ? 0 : errno;
}

struct flock GetLk(int fd, short type, off_t start, off_t len) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = len;
  EXPECT_EQ(::fcntl(fd, F_GETLK, &l), 0) << std::strerror(errno);
  return l;
}

// Polls `try_once` (an errno) until it gives 0, up to `timeout`; the last errno.
int Eventually(const std::function<int()>& try_once, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  int r = try_once();
  while (r != 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(100ms);
    r = try_once();
  }
  return r;
}

void NoOp(int) {}

// Runs `python3 -c script args...` in a child bounded by `max_seconds`; its exit code.
int Python(const char* script, const std::vector<std::string>& args, unsigned max_seconds = 120) {
  const pid_t pid = Child(
      [&] {
        std::vector<char*> argv = {const_cast<char*>("python3"), const_cast<char*>("-c"),
                                   const_cast<char*>(script)};
        for (const std::string& a : args)
          argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp("python3", argv.data());
        std::perror("python3 (scripts/deps.sh installs it)");
        return 127;
      },
      max_seconds);
  return Reap(pid, std::chrono::seconds(max_seconds + 5));
}

// Adds 1 to a number at the start of a file, `n` times, each under an exclusive lockf.
constexpr const char* kLockfCounter = R"py(
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for _ in range(int(sys.argv[2])):
    fcntl.lockf(fd, fcntl.LOCK_EX)
    v = int(os.pread(fd, 32, 0).decode().strip() or 0)
    os.pwrite(fd, str(v + 1).encode().ljust(32), 0)
    fcntl.lockf(fd, fcntl.LOCK_UN)
)py";

// `n` transactions, each inserting the number of rows it sees: under SQLite's locks every
// number from 0 to the total - 1 appears once, whoever wrote it.
constexpr const char* kSqliteWriter = R"py(
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
for _ in range(int(sys.argv[3])):
    db.execute("BEGIN IMMEDIATE")
    seen = db.execute("SELECT COUNT(*) FROM t").fetchone()[0]
    db.execute("INSERT INTO t VALUES(?, ?)", (sys.argv[2], seen))
    db.execute("COMMIT")
)py";

constexpr const char* kSqliteCreate = R"py(
import sqlite3, sys
sqlite3.connect(sys.argv[1], isolation_level=None).execute("CREATE TABLE t(who TEXT, n INTEGER)")
)py";

// Exit 0 when the database is whole and holds exactly 0 .. total-1, one row each.
constexpr const char* kSqliteCheck = R"py(
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
rows = sorted(n for (n,) in db.execute("SELECT n FROM t"))
total = int(sys.argv[2])
if integrity != "ok" or rows != list(range(total)):
    print("integrity:", integrity, "rows:", len(rows), "expected:", total, file=sys.stderr)
    sys.exit(1)
)py";

class MountLocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access("/dev/fuse", R_OK | W_OK), 0) << "FUSE is not usable: /dev/fuse";
    auto c = test::Cluster::Start(
        {.chunkservers = 1,
         .master_cfg = {{"LOCKS_SESSION_TIMEOUT", "2"}, {"LOCKS_GRACE_TIME", "5"}},
         .keep_dir = std::getenv("ELKFS_KEEP") != nullptr});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    ASSERT_TRUE(cluster_->MountExtra(1).ok());
    ASSERT_TRUE(cluster_->MountExtra(2).ok());
    const int fd = ::open(A("f").c_str(), O_CREAT | O_RDWR, 0666);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ::close(fd);
  }
  // The same file through mount 1 and mount 2.
  std::string A(const std::string& rel) const { return cluster_->extra_mount_point(1) + "/" + rel; }
  std::string B(const std::string& rel) const { return cluster_->extra_mount_point(2) + "/" + rel; }

  // A section of the monitor's JSON, once it has published (every second) after now.
  nlohmann::json Monitor(const std::string& section) const {
    std::this_thread::sleep_for(1200ms);
    httplib::Client c("127.0.0.1", cluster_->http_port());
    c.set_connection_timeout(5s);
    c.set_read_timeout(5s);
    auto r = c.Get("/api/v1/" + section);
    EXPECT_TRUE(r && r->status == 200) << "monitor unreachable";
    if (!r || r->status != 200) return {};
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  std::unique_ptr<test::Cluster> cluster_;
};

TEST_F(MountLocksTest, FlockOnOneMountIsSeenOnTheOtherAndWakesItsWaiter) {
  int held = -1;
  ASSERT_EQ(FlockOn(A("f"), LOCK_EX, &held), 0);
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), EWOULDBLOCK);
  EXPECT_EQ(FlockOn(B("f"), LOCK_SH | LOCK_NB), EWOULDBLOCK);
  // Another open file description on the same mount is another owner too.
  EXPECT_EQ(FlockOn(A("f"), LOCK_SH | LOCK_NB), EWOULDBLOCK);

  Pipe started;
  const std::string path = B("f");
  const pid_t waiter = Child([&] {
    const int fd = ::open(path.c_str(), O_RDWR);
    started.Put('s');
    return ::flock(fd, LOCK_EX) == 0 ? 0 : 1;
  });
  ASSERT_EQ(started.Get(), 's');
  // The monitor lists the lock and its waiter, and counts the requests.
  const nlohmann::json locks = Monitor("locks");
  ASSERT_EQ(locks["locks"].size(), 1u) << locks.dump();
  EXPECT_EQ(locks["locks"][0]["kind"], "flock");
  EXPECT_EQ(locks["locks"][0]["type"], "exclusive");
  ASSERT_EQ(locks["waiting"].size(), 1u) << locks.dump();
  EXPECT_NE(locks["waiting"][0]["session"], locks["locks"][0]["session"]);
  EXPECT_GE(Monitor("ops")["operations"].value("lock", 0), 5);
  // The file is open on both mounts (mfscli -SOF): each session lists it by its path.
  const nlohmann::json open = Monitor("openfiles");
  std::set<uint32_t> sessions;
  for (const nlohmann::json& f : open["files"]) {
    if (f["paths"] == nlohmann::json::array({"/f"})) sessions.insert(f["session"].get<uint32_t>());
  }
  EXPECT_EQ(sessions.size(), 2u) << open.dump();
  EXPECT_FALSE(Exited(waiter)) << "the waiter got the lock while mount 1 held it";
  ASSERT_EQ(::flock(held, LOCK_UN), 0);
  EXPECT_EQ(Reap(waiter, 10s), 0) << "the waiter was not woken by the unlock";
  // The waiter exited: its lock went with its descriptor.
  EXPECT_EQ(Eventually([&] { return FlockOn(A("f"), LOCK_EX | LOCK_NB); }, 5s), 0);
  ::close(held);
}

TEST_F(MountLocksTest, ASignalEndsAWaitWithEintrAndTheLockIsNotTaken) {
  int held = -1;
  ASSERT_EQ(FlockOn(A("f"), LOCK_EX, &held), 0);
  const std::string path = B("f");
  const pid_t waiter = Child([&] {
    struct sigaction sa {};
    sa.sa_handler = NoOp;  // no SA_RESTART: the wait ends with EINTR
    ::sigaction(SIGUSR1, &sa, nullptr);
    const int fd = ::open(path.c_str(), O_RDWR);
    const int r = ::flock(fd, LOCK_EX) == 0 ? 0 : errno;
    if (r != EINTR) return 10 + r;
    // Interrupted, not granted: the lock is still mount 1's.
    return ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK ? 0 : 2;
  });
  std::this_thread::sleep_for(1s);
  ASSERT_FALSE(Exited(waiter));
  ::kill(waiter, SIGUSR1);
  EXPECT_EQ(Reap(waiter, 10s), 0);
  ASSERT_EQ(::flock(held, LOCK_UN), 0);
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), 0) << "a cancelled wait kept the lock";
  ::close(held);
}

TEST_F(MountLocksTest, PosixRangesSplitAcrossMountsAndGetlkNamesTheHolder) {
  Pipe to_child, from_child;
  const std::string path = A("f");
  const pid_t holder = Child([&] {
    const int fd = ::open(path.c_str(), O_RDWR);
    if (Fcntl(fd, F_SETLK, F_WRLCK, 0, 100) != 0) return 1;
    from_child.Put('1');
    if (to_child.Get() != 'u') return 2;
    if (Fcntl(fd, F_SETLK, F_UNLCK, 40, 20) != 0) return 3;  // [40, 60) freed: split in two
    from_child.Put('2');
    return to_child.Get() == 'x' ? 0 : 4;  // exits: its locks go with it
  });
  ASSERT_EQ(from_child.Get(), '1');
  const int fd = ::open(B("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 50, 10), EAGAIN);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_RDLCK, 99, 1), EAGAIN);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 100, 100), 0);
  struct flock l = GetLk(fd, F_RDLCK, 10, 5);
  EXPECT_EQ(l.l_type, F_WRLCK);
  EXPECT_EQ(l.l_start, 0);
  EXPECT_EQ(l.l_len, 100);
  EXPECT_EQ(l.l_pid, holder);
  l = GetLk(fd, F_WRLCK, 150, 10);  // its own lock: no conflict
  EXPECT_EQ(l.l_type, F_UNLCK);

  to_child.Put('u');
  ASSERT_EQ(from_child.Get(), '2');
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 45, 10), 0);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 30, 15), EAGAIN);
  l = GetLk(fd, F_WRLCK, 30, 100);
  EXPECT_EQ(l.l_type, F_WRLCK);
  EXPECT_EQ(l.l_start, 0);
  EXPECT_EQ(l.l_len, 40);
  l = GetLk(fd, F_WRLCK, 55, 30);
  EXPECT_EQ(l.l_start, 60);
  EXPECT_EQ(l.l_len, 40);

  // A blocking lock over the holder's range is woken when the holder exits.
  Pipe started;
  const std::string bpath = B("f");
  const pid_t waiter = Child([&] {
    const int wfd = ::open(bpath.c_str(), O_RDWR);
    started.Put('s');
    return Fcntl(wfd, F_SETLKW, F_WRLCK, 0, 40);
  });
  ASSERT_EQ(started.Get(), 's');
  std::this_thread::sleep_for(700ms);
  EXPECT_FALSE(Exited(waiter));
  to_child.Put('x');
  EXPECT_EQ(Reap(holder), 0);
  EXPECT_EQ(Reap(waiter, 10s), 0) << "the F_SETLKW waiter was not woken";
  ::close(fd);
}

TEST_F(MountLocksTest, WaitingInACycleAcrossMountsIsADeadlock) {
  Pipe to_child, from_child;
  const std::string path = A("f");
  const pid_t p1 = Child([&] {
    const int fd = ::open(path.c_str(), O_RDWR);
    if (Fcntl(fd, F_SETLK, F_WRLCK, 0, 1) != 0) return 1;
    from_child.Put('1');
    // Only once the test holds byte 1: else the wait is granted at once.
    if (to_child.Get() != 'w') return 2;
    return Fcntl(fd, F_SETLKW, F_WRLCK, 1, 1);  // waits for the test's lock on byte 1
  });
  const int fd = ::open(B("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(from_child.Get(), '1');
  ASSERT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 1, 1), 0);
  to_child.Put('w');
  // Once the master has p1 waiting (else p1 would be the one refused, as it should).
  bool waiting = false;
  for (int i = 0; i < 8 && !waiting; ++i)
    waiting = Monitor("locks")["waiting"].size() == 1;
  ASSERT_TRUE(waiting) << "p1's wait never reached the master";
  EXPECT_EQ(Fcntl(fd, F_SETLKW, F_WRLCK, 0, 1), EDEADLK);
  ::close(fd);  // frees byte 1: p1 gets it
  EXPECT_EQ(Reap(p1, 10s), 0);
}

TEST_F(MountLocksTest, AKilledProcessReleasesItsLocks) {
  Pipe from_child;
  const std::string path = A("f");
  const pid_t holder = Child([&] {
    const int f1 = ::open(path.c_str(), O_RDWR);
    const int f2 = ::open(path.c_str(), O_RDWR);
    if (::flock(f1, LOCK_EX) != 0 || Fcntl(f2, F_SETLK, F_WRLCK, 0, 0) != 0) return 1;
    from_child.Put('1');
    ::pause();
    return 0;
  });
  ASSERT_EQ(from_child.Get(), '1');
  const int fd = ::open(B("f").c_str(), O_RDWR);
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), EWOULDBLOCK);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_RDLCK, 0, 0), EAGAIN);
  ::kill(holder, SIGKILL);
  EXPECT_EQ(Reap(holder), 128 + SIGKILL);
  EXPECT_EQ(Eventually([&] { return FlockOn(B("f"), LOCK_EX | LOCK_NB); }, 5s), 0);
  EXPECT_EQ(Eventually([&] { return Fcntl(fd, F_SETLK, F_WRLCK, 0, 0); }, 5s), 0);
  ::close(fd);
}

TEST_F(MountLocksTest, AKilledMountLosesItsLocksWhenItsSessionTimesOut) {
  Pipe from_child;
  const std::string path = A("f");
  const pid_t holder = Child([&] {
    const int fd = ::open(path.c_str(), O_RDWR);
    if (::flock(fd, LOCK_EX) != 0) return 1;
    from_child.Put('1');
    ::pause();
    return 0;
  });
  ASSERT_EQ(from_child.Get(), '1');
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), EWOULDBLOCK);
  cluster_->KillExtraMount(1);  // the holder lives on, its mount does not
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), EWOULDBLOCK) << "released before the time-out";
  // LOCKS_SESSION_TIMEOUT = 2 s, looked at every second.
  EXPECT_EQ(Eventually([&] { return FlockOn(B("f"), LOCK_EX | LOCK_NB); }, 10s), 0);
  ::kill(holder, SIGKILL);
  Reap(holder);
}

TEST_F(MountLocksTest, LocksSurviveAMasterRestartAndAreNotGrantedTwice) {
  Pipe to_child, from_child;
  const std::string path = A("f");
  const pid_t holder = Child(
      [&] {
        const int f1 = ::open(path.c_str(), O_RDWR);
        const int f2 = ::open(path.c_str(), O_RDWR);
        if (::flock(f1, LOCK_EX) != 0 || Fcntl(f2, F_SETLK, F_WRLCK, 10, 10) != 0) return 1;
        from_child.Put('1');
        if (to_child.Get(60s) != 'u') return 2;
        ::flock(f1, LOCK_UN);
        from_child.Put('2');
        return to_child.Get(60s) == 'x' ? 0 : 3;
      },
      120);
  ASSERT_EQ(from_child.Get(), '1');
  ASSERT_EQ(cluster_->StopMaster(), 0);
  ASSERT_TRUE(cluster_->StartMaster().ok());
  // Asked at once: the request waits out the reclaims, then finds the locks held again.
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), EWOULDBLOCK);
  const int fd = ::open(B("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 15, 1), EAGAIN);
  EXPECT_EQ(Fcntl(fd, F_SETLK, F_WRLCK, 20, 1), 0);
  to_child.Put('u');
  ASSERT_EQ(from_child.Get(), '2');
  EXPECT_EQ(FlockOn(B("f"), LOCK_EX | LOCK_NB), 0);
  to_child.Put('x');
  EXPECT_EQ(Reap(holder), 0);
  ::close(fd);
}

// SQLite's journal, created and removed under the lock by one mount then the other: a name
// the second mount's kernel still caches must not open the removed file.
TEST_F(MountLocksTest, ANameRemovedThroughOneMountOpensAsWhatItNamesNow) {
  int fd = ::open(A("j").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "old", 3), 3);
  ::close(fd);
  struct stat st {};
  ASSERT_EQ(::stat(B("j").c_str(), &st), 0);  // mount 2's kernel now caches the name
  ASSERT_EQ(::unlink(A("j").c_str()), 0);
  fd = ::open(B("j").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  char buf[8] = {};
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), 0) << "the removed file was opened";
  ASSERT_EQ(::write(fd, "new", 3), 3);
  ::close(fd);
  EXPECT_EQ(::unlink(B("j").c_str()), 0) << std::strerror(errno);
  EXPECT_NE(::access(A("j").c_str(), F_OK), 0);
}

// Applications that coordinate through locks from two hosts: what one writes under a lock,
// the other reads once it holds the lock (the grant drops the file's cached pages).
TEST_F(MountLocksTest, LockfCountersFromBothMountsLoseNoIncrement) {
  constexpr int kEach = 150;
  const pid_t a = Child(
      [&] {
        return Python(kLockfCounter, {A("f"), std::to_string(kEach)});
      },
      125);
  const pid_t b = Child(
      [&] {
        return Python(kLockfCounter, {B("f"), std::to_string(kEach)});
      },
      125);
  EXPECT_EQ(Reap(a, 130s), 0);
  EXPECT_EQ(Reap(b, 130s), 0);
  char buf[33] = {};
  const int fd = ::open(A("f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_GT(::pread(fd, buf, 32, 0), 0);
  ::close(fd);
  EXPECT_EQ(std::atoi(buf), 2 * kEach) << "increments lost: '" << buf << "'";
}

TEST_F(MountLocksTest, SqliteWrittenFromBothMountsStaysWhole) {
  constexpr int kEach = 60;
  ASSERT_EQ(Python(kSqliteCreate, {A("db")}), 0);
  const auto n = std::to_string(kEach);
  const pid_t a = Child([&] { return Python(kSqliteWriter, {A("db"), "a", n}); }, 125);
  const pid_t b = Child([&] { return Python(kSqliteWriter, {B("db"), "b", n}); }, 125);
  EXPECT_EQ(Reap(a, 130s), 0);
  EXPECT_EQ(Reap(b, 130s), 0);
  EXPECT_EQ(Python(kSqliteCheck, {A("db"), std::to_string(2 * kEach)}), 0);
  EXPECT_EQ(Python(kSqliteCheck, {B("db"), std::to_string(2 * kEach)}), 0);
}

}  // namespace
}  // namespace elk
