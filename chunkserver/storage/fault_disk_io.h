#pragma once
// A DiskIo for tests that wraps a real one and breaks on demand: chosen calls fail with
// chosen errno values (EIO, ENOSPC...), a write can be torn (only its first bytes land),
// free space can be faked, and stored bytes can be flipped. Files it opens must not outlive it.

#include <cerrno>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chunkserver/storage/disk_io.h"

namespace elk::chunkstore {

// kSync: a file's Sync; kSyncDir: a folder's.
enum class FaultOp {
  kOpen,
  kRead,
  kWrite,
  kSync,
  kTruncate,
  kUnlink,
  kRename,
  kList,
  kSyncDir,
  kCount
};

struct Fault {
  FaultOp op = FaultOp::kWrite;
  int error = EIO;
  uint64_t skip = 0;                                      // matching calls let through first
  uint64_t times = std::numeric_limits<uint64_t>::max();  // matching calls failed after that
  size_t torn_bytes = 0;      // kWrite only: how much of the failing write reaches the disk
  std::string path_contains;  // only calls on paths containing this; empty matches all
};

class FaultDiskIo final : public DiskIo {
 public:
  explicit FaultDiskIo(DiskIo& inner) : inner_(inner) {}

  void Inject(Fault fault);
  void Clear();
  // Report this from Space() instead of the real figures; nullopt restores them.
  void FakeSpace(std::optional<DiskSpace> space);
  // XORs one stored byte with 0xFF, bypassing the faults: silent corruption on the platter.
  Status FlipByte(const std::string& path, uint64_t offset);
  // Calls seen for an operation, failed or not.
  uint64_t Calls(FaultOp op) const;
  // Bytes handed to WriteAt that reached the disk.
  uint64_t BytesWritten() const;
  void CountWritten(size_t n);

  // The failure to inject into this call, if any; counts the call. (Used by the file wrapper.)
  std::optional<Fault> Check(FaultOp op, const std::string& path);

  Result<std::unique_ptr<DiskFile>> Open(const std::string& path, OpenMode mode) override;
  Status Unlink(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status MakeDir(const std::string& path) override { return inner_.MakeDir(path); }
  Status SyncDir(const std::string& path) override;
  Result<std::vector<std::string>> List(const std::string& dir) override;
  Result<uint64_t> FileSize(const std::string& path) override { return inner_.FileSize(path); }
  Result<DiskSpace> Space(const std::string& dir) override;

 private:
  struct Armed {
    Fault fault;
    uint64_t seen = 0;
  };

  DiskIo& inner_;
  mutable std::mutex mu_;
  std::vector<Armed> faults_;
  std::optional<DiskSpace> fake_space_;
  uint64_t calls_[static_cast<size_t>(FaultOp::kCount)] = {};
  uint64_t bytes_written_ = 0;
};

}  // namespace elk::chunkstore
