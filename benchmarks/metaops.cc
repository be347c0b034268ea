// Small-file metadata rates through any mounted file system, the same way for ElkFS and
// MooseFS: creates N empty files in a folder, stats each, unlinks each, and prints the rate of
// each phase. With --keep the files stay (vs_moosefs.sh uses that to weigh the master's memory
// per file). Plain POSIX calls, one thread, so the figures compare the mounts, not the tool.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string FileName(const std::string& dir, long i) { return dir + "/f" + std::to_string(i); }

bool Create(const std::string& dir, long n) {
  for (long i = 0; i < n; ++i) {
    int fd = ::open(FileName(dir, i).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0 || ::close(fd) != 0) {
      std::fprintf(stderr, "metaops: create %s: %s\n", FileName(dir, i).c_str(),
                   std::strerror(errno));
      return false;
    }
  }
  return true;
}

bool Stat(const std::string& dir, long n) {
  struct stat st;
  for (long i = 0; i < n; ++i) {
    if (::stat(FileName(dir, i).c_str(), &st) != 0) {
      std::fprintf(stderr, "metaops: stat: %s\n", std::strerror(errno));
      return false;
    }
  }
  return true;
}

bool Unlink(const std::string& dir, long n) {
  for (long i = 0; i < n; ++i) {
    if (::unlink(FileName(dir, i).c_str()) != 0) {
      std::fprintf(stderr, "metaops: unlink: %s\n", std::strerror(errno));
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: metaops DIR COUNT [--keep]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long n = std::strtol(argv[2], nullptr, 10);
  const bool keep = argc > 3 && std::strcmp(argv[3], "--keep") == 0;
  if (n <= 0 || (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)) {
    std::fprintf(stderr, "metaops: bad count or folder %s\n", dir.c_str());
    return 2;
  }
  auto t = Clock::now();
  if (!Create(dir, n)) return 1;
  const double create = n / Seconds(t);
  if (keep) {
    std::printf("create %.0f/s\n", create);
    return 0;
  }
  t = Clock::now();
  if (!Stat(dir, n)) return 1;
  const double stat = n / Seconds(t);
  t = Clock::now();
  if (!Unlink(dir, n)) return 1;
  const double unlink = n / Seconds(t);
  std::printf("create %.0f/s stat %.0f/s unlink %.0f/s\n", create, stat, unlink);
  return 0;
}
