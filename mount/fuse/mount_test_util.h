#pragma once
// Helpers of the tests that use a real mount: deterministic data, whole-file writes and
// reads with plain POSIX calls, and running a tool for its output.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace elk::mount_test {

// n bytes that depend only on the seed (xorshift: fast enough for hundreds of MiB).
inline std::vector<char> Pattern(size_t n, uint32_t seed) {
  std::vector<char> v(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (size_t i = 0; i < n; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(v.data() + i, &x, std::min<size_t>(8, n - i));
  }
  return v;
}

// Writes n bytes in pieces of at most `piece`.
inline bool WriteAll(int fd, const char* p, size_t n, size_t piece = 1 << 20) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, std::min(n, piece));
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// The whole file in odd-sized writes by default, so the kernel's requests do not line up
// with blocks.
inline bool WriteFile(const std::string& path, const std::vector<char>& data,
                      size_t piece = 3 * 65536 + 123) {
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return false;
  const bool ok = WriteAll(fd, data.data(), data.size(), piece);
  return ::close(fd) == 0 && ok;
}

inline std::vector<char> ReadFile(const std::string& path) {
  std::vector<char> out;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return out;
  char buf[1 << 16];
  for (ssize_t r; (r = ::read(fd, buf, sizeof(buf))) > 0;)
    out.insert(out.end(), buf, buf + r);
  ::close(fd);
  return out;
}

// A shell command's output (stdout and stderr) and exit code.
inline std::pair<std::string, int> RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {"popen failed", -1};
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;)
    out.append(buf, n);
  int rc = ::pclose(p);
  return {out, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1};
}

}  // namespace elk::mount_test
