#include "chunkserver/storage/fault_disk_io.h"

namespace elk::chunkstore {
namespace {

Status Injected(const Fault& f, const std::string& path) {
  return Status::FromErrno(f.error, "injected fault on " + path);
}

class FaultFile final : public DiskFile {
 public:
  FaultFile(FaultDiskIo& io, std::unique_ptr<DiskFile> inner, std::string path)
      : io_(io), inner_(std::move(inner)), path_(std::move(path)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (auto f = io_.Check(FaultOp::kRead, path_)) return Injected(*f, path_);
    return inner_->ReadAt(offset, out);
  }

  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override {
    if (auto f = io_.Check(FaultOp::kWrite, path_)) {
      if (f->torn_bytes > 0) {
        ELK_RETURN_IF_ERROR(
            inner_->WriteAt(offset, data.first(std::min(f->torn_bytes, data.size()))));
      }
      return Injected(*f, path_);
    }
    ELK_RETURN_IF_ERROR(inner_->WriteAt(offset, data));
    io_.CountWritten(data.size());
    return Status::Ok();
  }

  Status Sync() override {
    if (auto f = io_.Check(FaultOp::kSync, path_)) return Injected(*f, path_);
    return inner_->Sync();
  }

  Status Truncate(uint64_t size) override {
    if (auto f = io_.Check(FaultOp::kTruncate, path_)) return Injected(*f, path_);
    return inner_->Truncate(size);
  }

  Result<uint64_t> Size() override { return inner_->Size(); }

 private:
  FaultDiskIo& io_;
  std::unique_ptr<DiskFile> inner_;
  std::string path_;
};

}  // namespace

void FaultDiskIo::Inject(Fault fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(Armed{.fault = std::move(fault)});
}

void FaultDiskIo::Clear() {
  std::lock_guard lock(mu_);
  faults_.clear();
  fake_space_.reset();
}

void FaultDiskIo::FakeSpace(std::optional<DiskSpace> space) {
  std::lock_guard lock(mu_);
  fake_space_ = space;
}

uint64_t FaultDiskIo::Calls(FaultOp op) const {
  std::lock_guard lock(mu_);
  return calls_[static_cast<size_t>(op)];
}

uint64_t FaultDiskIo::BytesWritten() const {
  std::lock_guard lock(mu_);
  return bytes_written_;
}

void FaultDiskIo::CountWritten(size_t n) {
  std::lock_guard lock(mu_);
  bytes_written_ += n;
}

std::optional<Fault> FaultDiskIo::Check(FaultOp op, const std::string& path) {
  std::lock_guard lock(mu_);
  ++calls_[static_cast<size_t>(op)];
  for (Armed& a : faults_) {
    if (a.fault.op != op || path.find(a.fault.path_contains) == std::string::npos) continue;
    const uint64_t n = a.seen++;
    if (n >= a.fault.skip && n - a.fault.skip < a.fault.times) return a.fault;
  }
  return std::nullopt;
}

Status FaultDiskIo::FlipByte(const std::string& path, uint64_t offset) {
  auto file = inner_.Open(path, OpenMode::kReadWrite);
  if (!file.ok()) return file.status();
  uint8_t byte = 0;
  auto n = (*file)->ReadAt(offset, {&byte, 1});
  if (!n.ok()) return n.status();
  if (*n != 1) return Status(Code::kRange, "flip past end of " + path);
  byte ^= 0xFF;
  return (*file)->WriteAt(offset, {&byte, 1});
}

Result<std::unique_ptr<DiskFile>> FaultDiskIo::Open(const std::string& path, OpenMode mode) {
  if (auto f = Check(FaultOp::kOpen, path)) return Injected(*f, path);
  auto file = inner_.Open(path, mode);
  if (!file.ok()) return file.status();
  return std::unique_ptr<DiskFile>(std::make_unique<FaultFile>(*this, std::move(*file), path));
}

Status FaultDiskIo::Unlink(const std::string& path) {
  if (auto f = Check(FaultOp::kUnlink, path)) return Injected(*f, path);
  return inner_.Unlink(path);
}

Status FaultDiskIo::SyncDir(const std::string& path) {
  if (auto f = Check(FaultOp::kSyncDir, path)) return Injected(*f, path);
  return inner_.SyncDir(path);
}

Status FaultDiskIo::Rename(const std::string& from, const std::string& to) {
  if (auto f = Check(FaultOp::kRename, from)) return Injected(*f, from);
  return inner_.Rename(from, to);
}

Result<std::vector<std::string>> FaultDiskIo::List(const std::string& dir) {
  if (auto f = Check(FaultOp::kList, dir)) return Injected(*f, dir);
  return inner_.List(dir);
}

Result<DiskSpace> FaultDiskIo::Space(const std::string& dir) {
  {
    std::lock_guard lock(mu_);
    if (fake_space_) return *fake_space_;
  }
  return inner_.Space(dir);
}

}  // namespace elk::chunkstore
