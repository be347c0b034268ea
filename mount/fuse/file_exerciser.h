#pragma once
// Drives one file through a real mount with a long random mix of operations - writes,
// reads, truncates both ways (by descriptor and by path), every fallocate mode the mount
// supports, mmap reads and writes, fsync, dropping the page cache, close and reopen - with
// offsets and sizes drawn around 64 KiB blocks and the 64 MiB chunk edge, and checks every
// read against a FileModel. The same seed gives the same operations. Every operation is
// written to a log file; a mismatch reports the seed, the operation and the last ones.

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mount/fuse/file_model.h"

namespace elk::mount_test {

class FileExerciser {
 public:
  // The file at `path` is created (or emptied); the log goes to `log_path`.
  FileExerciser(std::string path, uint64_t seed, const std::string& log_path);
  ~FileExerciser();
  FileExerciser(const FileExerciser&) = delete;
  FileExerciser& operator=(const FileExerciser&) = delete;

  // Runs n operations; an empty string when every read matched the model, else what went
  // wrong (seed, operation number, operation, first differing byte, the last operations).
  std::string Run(int n);
  // Reads the whole file through a fresh descriptor and compares it with the model.
  std::string VerifyWhole();
  void CloseFile();
  int operations() const { return done_; }

 private:
  std::string Step();
  std::string DoWrite();
  std::string DoRead();
  std::string DoTruncate();
  std::string DoAllocate();
  std::string DoMmapRead();
  std::string DoMmapWrite();
  std::string Reopen();
  std::string CheckSize();
  std::string Compare(uint64_t at, uint64_t asked, const std::vector<uint8_t>& got,
                      const char* how);
  std::string Fail(const std::string& what);
  bool Open();
  uint64_t Offset();
  uint64_t Length();
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  std::vector<uint8_t> Bytes(uint64_t n);
  void Log(const std::string& line);

  std::string path_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  std::ofstream log_;
  std::vector<std::string> recent_;  // the last operations, for the failure message
  FileModel model_;
  int fd_ = -1;
  int done_ = 0;
  uint64_t cap_;  // the file stays below this (crosses the first chunk edge, sometimes two)
};

}  // namespace elk::mount_test
