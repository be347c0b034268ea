#include "mount/fuse/file_exerciser.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/file_limits.h"

namespace elk::mount_test {

namespace {

constexpr size_t kRecent = 40;

std::string Errno(const char* call) {
  return std::string(call) + ": " + std::strerror(errno);
}

std::string Num(uint64_t v) {
  return std::to_string(v);
}

}  // namespace

FileExerciser::FileExerciser(std::string path, uint64_t seed, const std::string& log_path)
    : path_(std::move(path)),
      seed_(seed),
      rng_(seed),
      log_(log_path),
      cap_(kChunkSize + 4 * uint64_t{kBlockSize}) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  Log("seed " + Num(seed) + " file " + path_);
}

FileExerciser::~FileExerciser() {
  CloseFile();
}

void FileExerciser::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FileExerciser::Open() {
  if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDWR);
  return fd_ >= 0;
}

void FileExerciser::Log(const std::string& line) {
  log_ << line << '\n';
  recent_.push_back(line);
  if (recent_.size() > kRecent) recent_.erase(recent_.begin());
}

std::string FileExerciser::Fail(const std::string& what) {
  log_.flush();
  std::string out = "seed " + Num(seed_) + ", operation " + Num(done_) + ": " + what +
                    "\nthe last operations (the whole log is in the test folder):\n";
  for (const auto& l : recent_)
    out += "  " + l + "\n";
  return out;
}

// Offsets gather where bugs live: block edges, the chunk edge, the end of the file.
uint64_t FileExerciser::Offset() {
  const int64_t jitter = static_cast<int64_t>(Below(601)) - 300;
  uint64_t base;
  switch (Below(5)) {
    case 0:
      base = Below(cap_);
      break;
    case 1:
      base = Below(cap_ / uint64_t{kBlockSize} + 1) * uint64_t{kBlockSize};
      break;
    case 2:
      base = kChunkSize;
      break;
    case 3:
      base = model_.size();
      break;
    default:
      base = Below(std::max<uint64_t>(model_.size(), 1));
      break;
  }
  const int64_t at = static_cast<int64_t>(base) + jitter;
  return std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(at, 0)), cap_ - 1);
}

uint64_t FileExerciser::Length() {
  switch (Below(10)) {
    case 0:
      return uint64_t{kBlockSize} + Below(2 * uint64_t{kBlockSize});
    case 1:
      return Below(3u << 20) + 1;
    default:
      return Below(9000) + 1;
  }
}

std::vector<uint8_t> FileExerciser::Bytes(uint64_t n) {
  std::vector<uint8_t> v(n);
  for (uint64_t i = 0; i < n; i += 8) {
    const uint64_t x = rng_() | 0x0101010101010101ULL;  // no zero byte: a lost write shows
    std::memcpy(v.data() + i, &x, std::min<uint64_t>(8, n - i));
  }
  return v;
}

std::string FileExerciser::Run(int n) {
  if (Below(40) == 0)
    cap_ = 2 * kChunkSize + 4 * uint64_t{kBlockSize};  // now and then, across a second edge
  for (int i = 0; i < n; ++i, ++done_) {
    if (!Open()) return Fail(Errno("open"));
    if (std::string e = Step(); !e.empty()) return Fail(e);
  }
  return "";
}

std::string FileExerciser::Step() {
  const uint64_t pick = Below(100);
  if (pick < 30) return DoWrite();
  if (pick < 55) return DoRead();
  if (pick < 67) return DoTruncate();
  if (pick < 77) return DoAllocate();
  if (pick < 82) return DoMmapRead();
  if (pick < 87) return DoMmapWrite();
  if (pick < 91) return Reopen();
  if (pick < 94) {
    Log("fsync");
    return ::fsync(fd_) == 0 ? "" : Errno("fsync");
  }
  if (pick < 97) {
    Log("drop page cache");
    return ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED) == 0 ? "" : Errno("fadvise");
  }
  return CheckSize();
}

std::string FileExerciser::DoWrite() {
  const uint64_t at = Offset();
  const auto data = Bytes(std::min(Length(), cap_ - at));
  Log("pwrite " + Num(data.size()) + " at " + Num(at));
  size_t put = 0;
  while (put < data.size()) {
    const ssize_t w =
        ::pwrite(fd_, data.data() + put, data.size() - put, static_cast<off_t>(at + put));
    if (w <= 0) return Errno("pwrite");
    put += static_cast<size_t>(w);
  }
  model_.Write(at, data);
  return "";
}

std::string FileExerciser::DoRead() {
  const uint64_t at = Offset();
  const uint64_t n = Length();
  Log("pread " + Num(n) + " at " + Num(at));
  std::vector<uint8_t> got(n);
  size_t have = 0;
  while (have < n) {
    const ssize_t r = ::pread(fd_, got.data() + have, n - have, static_cast<off_t>(at + have));
    if (r < 0) return Errno("pread");
    if (r == 0) break;
    have += static_cast<size_t>(r);
  }
  got.resize(have);
  return Compare(at, n, got, "pread");
}

std::string FileExerciser::DoTruncate() {
  const bool by_path = Below(2) == 0;
  const uint64_t to = Below(3) == 0 ? Below(model_.size() + 1) : Offset();
  Log(std::string(by_path ? "truncate" : "ftruncate") + " to " + Num(to));
  const int rc = by_path ? ::truncate(path_.c_str(), static_cast<off_t>(to))
                         : ::ftruncate(fd_, static_cast<off_t>(to));
  if (rc != 0) return Errno("truncate");
  model_.Truncate(to);
  return "";
}

std::string FileExerciser::DoAllocate() {
  static constexpr std::pair<int, const char*> kModes[] = {
      {0, "allocate"},
      {FALLOC_FL_KEEP_SIZE, "allocate keep-size"},
      {FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, "punch-hole"},
      {FALLOC_FL_ZERO_RANGE, "zero-range"},
      {FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, "zero-range keep-size"}};
  const auto [mode, name] = kModes[Below(5)];
  const uint64_t at = Offset();
  const uint64_t n =
      std::min(Below(5) == 0 ? kChunkSize / 2 + Below(kChunkSize) : Length(), cap_ - at);
  Log(std::string("fallocate ") + name + " " + Num(n) + " at " + Num(at));
  if (::fallocate(fd_, mode, static_cast<off_t>(at), static_cast<off_t>(n)) != 0) {
    return Errno("fallocate");
  }
  model_.Allocate(at, n, (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) != 0,
                  (mode & FALLOC_FL_KEEP_SIZE) != 0);
  return "";
}

std::string FileExerciser::DoMmapRead() {
  if (model_.size() == 0) return "";
  const uint64_t at = Below(model_.size());
  const uint64_t n = std::min(Length(), model_.size() - at);
  const uint64_t page = at & ~uint64_t{4095};
  Log("mmap read " + Num(n) + " at " + Num(at));
  void* m = ::mmap(nullptr, at + n - page, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(page));
  if (m == MAP_FAILED) return Errno("mmap");
  const auto* p = static_cast<const uint8_t*>(m) + (at - page);
  std::vector<uint8_t> got(p, p + n);
  ::munmap(m, at + n - page);
  return Compare(at, n, got, "mmap read");
}

std::string FileExerciser::DoMmapWrite() {
  if (model_.size() == 0) return "";
  const uint64_t at = Below(model_.size());
  const auto data = Bytes(std::min(Length(), model_.size() - at));
  const uint64_t page = at & ~uint64_t{4095};
  const size_t len = at + data.size() - page;
  Log("mmap write " + Num(data.size()) + " at " + Num(at));
  void* m = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, static_cast<off_t>(page));
  if (m == MAP_FAILED) return Errno("mmap");
  std::memcpy(static_cast<uint8_t*>(m) + (at - page), data.data(), data.size());
  const int rc = ::msync(m, len, MS_SYNC);
  ::munmap(m, len);
  if (rc != 0) return Errno("msync");
  model_.Write(at, data);
  return "";
}

std::string FileExerciser::Reopen() {
  Log("close and reopen");
  CloseFile();
  return Open() ? "" : Errno("open");
}

std::string FileExerciser::CheckSize() {
  Log("fstat");
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Errno("fstat");
  if (static_cast<uint64_t>(st.st_size) == model_.size()) return "";
  return "size " + Num(static_cast<uint64_t>(st.st_size)) + ", the model says " +
         Num(model_.size());
}

std::string FileExerciser::Compare(uint64_t at, uint64_t asked, const std::vector<uint8_t>& got,
                                   const char* how) {
  const auto want = model_.Read(at, asked);
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (got[i] != want[i]) {
      return std::string(how) + ": byte " + Num(at + i) + " is " + Num(got[i]) +
             ", the model says " + Num(want[i]) + " (file size " + Num(model_.size()) + ")";
    }
  }
  if (got.size() == want.size()) return "";
  return std::string(how) + ": " + Num(got.size()) + " bytes at " + Num(at) + ", the model has " +
         Num(want.size()) + " (file size " + Num(model_.size()) + ")";
}

std::string FileExerciser::VerifyWhole() {
  Log("verify the whole file");
  const int fd = ::open(path_.c_str(), O_RDONLY);
  if (fd < 0) return Fail(Errno("open"));
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  std::vector<uint8_t> got;
  std::vector<uint8_t> buf(1 << 20);
  for (ssize_t r; (r = ::read(fd, buf.data(), buf.size())) > 0;)
    got.insert(got.end(), buf.begin(), buf.begin() + r);
  ::close(fd);
  std::string e = Compare(0, UINT64_MAX, got, "whole file");
  return e.empty() ? "" : Fail(e);
}

}  // namespace elk::mount_test
