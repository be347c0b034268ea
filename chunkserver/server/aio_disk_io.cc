#include "chunkserver/server/aio_disk_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#ifdef ELKFS_HAVE_AIO
#include <libaio.h>
#endif

#include "common/log/log.h"

namespace elk::chunkserver {

#ifdef ELKFS_HAVE_AIO
namespace {

using chunkstore::DiskFile;
using chunkstore::DiskIo;
using chunkstore::DiskSpace;
using chunkstore::OpenMode;

constexpr uint64_t kAlign = 4096;

bool Aligned(uint64_t offset, const void* buf, size_t len) {
  return offset % kAlign == 0 && len % kAlign == 0 &&
         reinterpret_cast<uintptr_t>(buf) % kAlign == 0;
}

// One aio context per I/O thread: a thread submits a request and waits for its own
// completion, so events never have to be routed between threads.
struct ThreadContext {
  io_context_t ctx{};
  bool ok = false;
  ThreadContext() { ok = io_setup(16, &ctx) == 0; }
  ~ThreadContext() {
    if (ok) io_destroy(ctx);
  }
  ThreadContext(const ThreadContext&) = delete;
  ThreadContext& operator=(const ThreadContext&) = delete;
};

ThreadContext& Context() {
  thread_local ThreadContext context;
  return context;
}

// One transfer of up to len bytes; returns bytes moved or -errno.
long Transfer(int fd, bool write, void* buf, size_t len, uint64_t offset) {
  ThreadContext& tc = Context();
  if (!tc.ok) {  // no aio context to be had: plain calls on the O_DIRECT descriptor
    const ssize_t n = write ? ::pwrite(fd, buf, len, static_cast<off_t>(offset))
                            : ::pread(fd, buf, len, static_cast<off_t>(offset));
    return n < 0 ? -errno : n;
  }
  iocb cb{};
  if (write) {
    io_prep_pwrite(&cb, fd, buf, len, static_cast<long long>(offset));
  } else {
    io_prep_pread(&cb, fd, buf, len, static_cast<long long>(offset));
  }
  iocb* list[1] = {&cb};
  int r;
  do {
    r = io_submit(tc.ctx, 1, list);
  } while (r == -EINTR || r == -EAGAIN);
  if (r != 1) return r < 0 ? r : -EIO;
  io_event ev{};
  do {
    r = io_getevents(tc.ctx, 1, 1, &ev, nullptr);
  } while (r == -EINTR);
  if (r != 1) return r < 0 ? r : -EIO;
  return static_cast<long>(ev.res);
}

Status AioErrno(long neg_errno, std::string_view what, const std::string& path) {
  return Status::FromErrno(static_cast<int>(-neg_errno), std::string(what) + " " + path);
}

class AioFile final : public DiskFile {
 public:
  AioFile(std::unique_ptr<DiskFile> buffered, int direct_fd, std::string path)
      : buffered_(std::move(buffered)), fd_(direct_fd), path_(std::move(path)) {}
  ~AioFile() override { ::close(fd_); }
  AioFile(const AioFile&) = delete;
  AioFile& operator=(const AioFile&) = delete;

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (!Aligned(offset, out.data(), out.size())) return buffered_->ReadAt(offset, out);
    size_t done = 0;
    while (done < out.size()) {
      const long n = Transfer(fd_, false, out.data() + done, out.size() - done, offset + done);
      if (n < 0) return AioErrno(n, "aio read", path_);
      if (n == 0) break;
      done += static_cast<size_t>(n);
      if (done % kAlign != 0) {  // a short read that ends mid-page is the end of the file
        break;
      }
    }
    return done;
  }

  Status WriteAt(uint64_t offset, std::span<const uint8_t> data) override {
    if (!Aligned(offset, data.data(), data.size())) return buffered_->WriteAt(offset, data);
    size_t done = 0;
    while (done < data.size()) {
      // io_prep_pwrite takes a non-const buffer; the kernel only reads it.
      void* buf = const_cast<uint8_t*>(data.data() + done);
      const long n = Transfer(fd_, true, buf, data.size() - done, offset + done);
      if (n < 0) return AioErrno(n, "aio write", path_);
      if (n == 0) return Status(Code::kIo, "aio write made no progress on " + path_);
      done += static_cast<size_t>(n);
      if (done % kAlign != 0 && done < data.size()) {
        // Cannot continue O_DIRECT from an unaligned point: finish buffered.
        return buffered_->WriteAt(offset + done, data.subspan(done));
      }
    }
    return Status::Ok();
  }

  Status Sync() override { return buffered_->Sync(); }
  Status Truncate(uint64_t size) override { return buffered_->Truncate(size); }
  Result<uint64_t> Size() override { return buffered_->Size(); }

 private:
  std::unique_ptr<DiskFile> buffered_;
  int fd_;
  std::string path_;
};

class AioDiskIo final : public DiskIo {
 public:
  explicit AioDiskIo(std::unique_ptr<DiskIo> inner) : inner_(std::move(inner)) {}

  Result<std::unique_ptr<DiskFile>> Open(const std::string& path, OpenMode mode) override {
    auto buffered = inner_->Open(path, mode);
    if (!buffered.ok()) return buffered.status();
    const int fd = ::open(path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
    if (fd < 0) {
      if (!warned_.exchange(true)) {
        log::Warning("{}: O_DIRECT refused ({}), using buffered I/O", path, std::strerror(errno));
      }
      return std::move(*buffered);
    }
    return std::unique_ptr<DiskFile>(std::make_unique<AioFile>(std::move(*buffered), fd, path));
  }
  Status Unlink(const std::string& path) override { return inner_->Unlink(path); }
  Status Rename(const std::string& from, const std::string& to) override {
    return inner_->Rename(from, to);
  }
  Status MakeDir(const std::string& path) override { return inner_->MakeDir(path); }
  Status SyncDir(const std::string& path) override { return inner_->SyncDir(path); }
  Result<std::vector<std::string>> List(const std::string& dir) override {
    return inner_->List(dir);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return inner_->FileSize(path); }
  Result<DiskSpace> Space(const std::string& dir) override { return inner_->Space(dir); }

 private:
  std::unique_ptr<DiskIo> inner_;
  std::atomic<bool> warned_{false};
};

}  // namespace

std::unique_ptr<chunkstore::DiskIo> NewAioDiskIo(std::unique_ptr<chunkstore::DiskIo> inner) {
  return std::make_unique<AioDiskIo>(std::move(inner));
}
bool AioAvailable() {
  return true;
}

#else

std::unique_ptr<chunkstore::DiskIo> NewAioDiskIo(std::unique_ptr<chunkstore::DiskIo> inner) {
  return inner;
}
bool AioAvailable() {
  return false;
}

#endif

}  // namespace elk::chunkserver
