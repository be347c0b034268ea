#pragma once
// The seam between chunk storage and the disk. Every byte a chunk file reads or writes goes
// through DiskIo, so tests swap in FaultDiskIo to inject errors, torn writes and corruption
// without killing processes, and the chunkserver can later put libaio behind it.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace elk::chunkstore {

// An open file. Closed when destroyed.
class DiskFile {
 public:
  virtual ~DiskFile() = default;
  // Reads up to out.size() bytes at `offset`; fewer only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
  // Writes all of `data` at `offset`, or fails.
  virtual Status WriteAt(uint64_t offset, std::span<const uint8_t> data) = 0;
  // Data and the metadata needed to read it back (size) on the disk: fdatasync.
  virtual Status Sync() = 0;
  virtual Status Truncate(uint64_t size) = 0;
  virtual Result<uint64_t> Size() = 0;
};

enum class OpenMode {
  kReadWrite,  // an existing file
  kCreateNew,  // a new file; fails with kExist if there is one
};

struct DiskSpace {
  uint64_t total = 0;
  uint64_t available = 0;  // to an unprivileged writer
  bool read_only = false;  // mounted read-only (ST_RDONLY)
};

class DiskIo {
 public:
  virtual ~DiskIo() = default;
  virtual Result<std::unique_ptr<DiskFile>> Open(const std::string& path, OpenMode mode) = 0;
  virtual Status Unlink(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Creates a folder; an existing one is not an error.
  virtual Status MakeDir(const std::string& path) = 0;
  // Makes the folder's entries (names created, renamed, removed in it) durable: fsync.
  virtual Status SyncDir(const std::string& path) = 0;
  // Names in a folder, without "." and "..".
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  // Size of a file, or kNoEnt; kIsDir for a folder.
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual Result<DiskSpace> Space(const std::string& dir) = 0;
};

// The real thing: POSIX calls, retried on EINTR and on short transfers.
std::unique_ptr<DiskIo> NewPosixDiskIo();

}  // namespace elk::chunkstore
