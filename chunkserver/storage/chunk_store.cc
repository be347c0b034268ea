#include "chunkserver/storage/chunk_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <iterator>

#include "common/log/log.h"

namespace elk::chunkstore {

ChunkStore::ChunkStore(DiskIo& io, ChunkStoreOptions options)
    : io_(io), options_(std::move(options)) {}

ChunkStore::~ChunkStore() {
  for (auto& [id, e] : chunks_)
    e.file.reset();  // each flushes its header
}

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(DiskIo& io, ChunkStoreOptions options) {
  auto store = std::make_unique<ChunkStore>(io, std::move(options));
  std::lock_guard lock(store->mu_);
  ELK_RETURN_IF_ERROR(store->Scan());
  log::Info("{}: {} chunks, {} superseded copies, {} strange files", store->options_.dir,
            store->chunks_.size(), store->superseded_.size(), store->skipped_);
  return store;
}

Status ChunkStore::Scan() {
  ELK_RETURN_IF_ERROR(io_.MakeDir(options_.dir));
  for (uint32_t sub = 0; sub < 256; ++sub) {
    const std::string folder = options_.dir + "/" + ChunkSubfolder(sub);
    ELK_RETURN_IF_ERROR(io_.MakeDir(folder));
    auto names = io_.List(folder);
    if (!names.ok()) return names.status();
    for (const std::string& file_name : *names) {
      const auto name = ParseChunkFileName(file_name);
      auto size = io_.FileSize(folder + "/" + file_name);
      if (!name || (name->id & 0xFF) != sub || !size.ok()) {
        log::Warning("{}/{}: not a chunk file here, skipped", folder, file_name);
        ++skipped_;
        continue;
      }
      Index(*name, *size);
    }
  }
  return Status::Ok();
}

void ChunkStore::Index(ChunkName name, uint64_t file_size) {
  const uint64_t size = file_size > kHeaderSize ? file_size - kHeaderSize : 0;
  auto [it, inserted] = chunks_.try_emplace(name.id, Entry{.name = name, .size = size});
  if (inserted) return Count(0, size, true, false);
  Entry& have = it->second;
  ChunkInfo older{.name = name, .path = ChunkPath(options_.dir, name), .size = size};
  if (name.version > have.name.version) {
    older = {.name = have.name, .path = ChunkPath(options_.dir, have.name), .size = have.size};
    Count(have.size, size, false, false);
    have = Entry{.name = name, .size = size};
  }
  log::Warning("{}: chunk {:016X} found twice; keeping version {:08X}, ignoring {}", options_.dir,
               name.id, have.name.version, older.path);
  superseded_.push_back(std::move(older));
}

std::vector<ChunkInfo> ChunkStore::Chunks() const {
  std::lock_guard lock(mu_);
  std::vector<ChunkInfo> out;
  out.reserve(chunks_.size());
  for (const auto& [id, e] : chunks_) {
    out.push_back({.name = e.name, .path = ChunkPath(options_.dir, e.name), .size = e.size});
  }
  return out;
}

size_t ChunkStore::chunk_count() const {
  std::lock_guard lock(mu_);
  return chunks_.size();
}

size_t ChunkStore::CountBelow(uint64_t id) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(std::distance(chunks_.begin(), chunks_.lower_bound(id)));
}

std::optional<ChunkInfo> ChunkStore::Find(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = chunks_.find(id);
  if (it == chunks_.end()) return std::nullopt;
  const Entry& e = it->second;
  return ChunkInfo{.name = e.name, .path = ChunkPath(options_.dir, e.name), .size = e.size};
}

std::vector<ChunkInfo> ChunkStore::Superseded() const {
  std::lock_guard lock(mu_);
  return superseded_;
}

size_t ChunkStore::skipped_files() const {
  std::lock_guard lock(mu_);
  return skipped_;
}

bool ChunkStore::damaged() const {
  std::lock_guard lock(mu_);
  return damaged_;
}

std::vector<ChunkName> ChunkStore::LostChunks() const {
  std::lock_guard lock(mu_);
  std::vector<ChunkName> lost;
  if (!damaged_) return lost;
  for (const auto& [id, e] : chunks_)
    lost.push_back(e.name);
  return lost;
}

DiskErrorNote ChunkStore::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

Status ChunkStore::Note(Status s) {
  const Code c = s.code();
  if (c == Code::kIo || c == Code::kCrc || c == Code::kCorruption) {
    ++last_error_.count;
    last_error_.text = s.ToString().substr(0, DiskErrorNote::kMaxErrorText);
    last_error_.time = static_cast<uint32_t>(std::time(nullptr));
  }
  if (s.code() == Code::kIo && !damaged_ && ++io_errors_ >= options_.error_threshold) {
    damaged_ = true;
    log::Error("{}: {} I/O errors, disk marked damaged (last: {})", options_.dir, io_errors_,
               s.ToString());
  }
  return s;
}

Result<StoreSpace> ChunkStore::Space() {
  std::lock_guard lock(mu_);
  auto space = io_.Space(options_.dir);
  if (!space.ok()) return Note(space.status());
  uint64_t usable =
      space->available > options_.leave_space ? space->available - options_.leave_space : 0;
  uint64_t total = space->total;
  uint64_t available = space->available;
  if (options_.max_use != 0) {
    // The limit is what the disk offers: its total, and its free part what the chunk
    // files leave of it (never more than the file system really has).
    total = std::min(total, options_.max_use);
    available = std::min(available, LimitRoom());
    usable = std::min(usable, LimitRoom());
  }
  return StoreSpace{.total = total,
                    .available = available,
                    .usable = space->read_only ? 0 : usable,
                    .read_only = space->read_only};
}

uint64_t ChunkStore::LimitRoom() const {
  if (options_.max_use == 0) return UINT64_MAX;
  return options_.max_use > file_bytes_ ? options_.max_use - file_bytes_ : 0;
}

Status ChunkStore::Reserve(uint64_t growth) {
  if (growth == 0) return Status::Ok();
  auto space = io_.Space(options_.dir);
  if (!space.ok()) return Note(space.status());
  if (space->available < options_.leave_space || space->available - options_.leave_space < growth) {
    return Status(Code::kNoSpace,
                  fmt::format("{}: {} bytes would eat into the {} byte reserve ({} free)",
                              options_.dir, growth, options_.leave_space, space->available));
  }
  if (growth > LimitRoom()) {
    return Status(Code::kNoSpace,
                  fmt::format("{}: {} bytes would pass the disk's limit of {} bytes ({} used)",
                              options_.dir, growth, options_.max_use, file_bytes_));
  }
  return Status::Ok();
}

Result<ChunkStore::Entry*> ChunkStore::Get(ChunkName name) {
  if (damaged_) return Status(Code::kIo, options_.dir + ": disk damaged");
  auto it = chunks_.find(name.id);
  if (it == chunks_.end()) return Status(Code::kNoChunk, fmt::format("chunk {:016X}", name.id));
  Entry& e = it->second;
  if (e.name.version != name.version) {
    return Status(Code::kWrongVersion,
                  fmt::format("chunk {:016X}: have version {:08X}, asked {:08X}", name.id,
                              e.name.version, name.version));
  }
  if (!e.file) {
    auto file = ChunkFile::Open(io_, options_.dir, name);
    if (!file.ok()) return Note(file.status());
    e.file = std::move(*file);
    ++open_files_;
  }
  return &e;
}

void ChunkStore::Count(uint64_t old_size, uint64_t new_size, bool added, bool removed) {
  if (added) file_bytes_ += kHeaderSize;
  if (removed) file_bytes_ -= std::min<uint64_t>(file_bytes_, kHeaderSize);
  file_bytes_ += new_size;
  file_bytes_ -= std::min(file_bytes_, old_size);
}

void ChunkStore::AfterUse(Entry& e) {
  if (e.file) {
    Count(e.size, e.file->data_size(), false, false);
    e.size = e.file->data_size();
  }
  if (open_files_ <= options_.max_open_files) return;
  // Too many open: close the others (simple, and rare with a sane limit).
  for (auto& [id, other] : chunks_) {
    if (&other != &e && other.file) {
      other.file.reset();
      --open_files_;
    }
  }
}

Status ChunkStore::Create(ChunkName name) {
  std::lock_guard lock(mu_);
  if (damaged_) return Status(Code::kIo, options_.dir + ": disk damaged");
  if (chunks_.contains(name.id)) {
    return Status(Code::kChunkExists, fmt::format("chunk {:016X}", name.id));
  }
  ELK_RETURN_IF_ERROR(Reserve(kHeaderSize));
  auto file = ChunkFile::Create(io_, options_.dir, name);
  if (!file.ok()) return Note(file.status());
  Entry& e = chunks_[name.id];
  e = Entry{.name = name, .size = 0, .file = std::move(*file)};
  Count(0, 0, true, false);
  ++open_files_;
  AfterUse(e);
  return Status::Ok();
}

Status ChunkStore::Read(ChunkName name, uint64_t offset, std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  Status s = Note((*e)->file->Read(offset, out));
  AfterUse(**e);
  return s;
}

Result<uint32_t> ChunkStore::ReadBlock(ChunkName name, uint32_t block, std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  auto crc = (*e)->file->ReadBlock(block, out);
  if (!crc.ok()) (void)Note(crc.status());
  AfterUse(**e);
  return crc;
}

Status ChunkStore::Write(ChunkName name, uint64_t offset, std::span<const uint8_t> data,
                         std::optional<uint32_t> whole_block_crc) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  const uint64_t end = (offset + data.size() + kBlockSize - 1) / kBlockSize * kBlockSize;
  const uint64_t have = (*e)->file->data_size();
  ELK_RETURN_IF_ERROR(Reserve(end > have ? end - have : 0));
  Status s = Note((*e)->file->Write(offset, data, whole_block_crc));
  AfterUse(**e);
  return s;
}

Status ChunkStore::SetVersion(ChunkName name, uint32_t new_version) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  Status s = Note((*e)->file->SetVersion(new_version));
  (*e)->name.version = (*e)->file->name().version;  // renamed even if its folder sync failed
  AfterUse(**e);
  return s;
}

Status ChunkStore::Truncate(ChunkName name, uint64_t length) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  Status s = Note((*e)->file->Truncate(length));
  AfterUse(**e);
  return s;
}

Status ChunkStore::Copy(ChunkName from, ChunkName to, std::optional<uint64_t> truncate_to) {
  if (chunks_.contains(to.id))
    return Status(Code::kChunkExists, fmt::format("chunk {:016X}", to.id));
  auto e = Get(from);
  if (!e.ok()) return e.status();
  const uint64_t length = truncate_to.value_or((*e)->file->data_size());
  ELK_RETURN_IF_ERROR(Reserve(kHeaderSize + std::min(length, (*e)->file->data_size())));
  auto copy = (*e)->file->DuplicateTruncate(to, length);
  AfterUse(**e);
  if (!copy.ok()) return Note(copy.status());
  Entry& c = chunks_[to.id];
  c = Entry{.name = to, .size = (*copy)->data_size(), .file = std::move(*copy)};
  Count(0, c.size, true, false);
  ++open_files_;
  AfterUse(c);
  return Status::Ok();
}

Status ChunkStore::Duplicate(ChunkName from, ChunkName to) {
  std::lock_guard lock(mu_);
  return Copy(from, to, std::nullopt);
}

Status ChunkStore::DuplicateTruncate(ChunkName from, ChunkName to, uint64_t length) {
  std::lock_guard lock(mu_);
  return Copy(from, to, length);
}

Status ChunkStore::Delete(ChunkName name) {
  std::lock_guard lock(mu_);
  auto it = chunks_.find(name.id);
  if (it == chunks_.end()) return Status(Code::kNoChunk, fmt::format("chunk {:016X}", name.id));
  if (it->second.name.version != name.version) return Status(Code::kWrongVersion, "delete");
  Entry& e = it->second;
  Status s;
  if (e.file) {
    s = e.file->Delete();
    e.file.reset();
    --open_files_;
  } else {
    // No need to open (and validate) a file only to remove it: a corrupt one must go too.
    s = io_.Unlink(ChunkPath(options_.dir, name));
  }
  if (s.code() == Code::kNoEnt) s = Status::Ok();  // already gone is what was asked
  if (s.ok()) {
    Count(e.size, 0, false, true);
    chunks_.erase(it);
  }
  return Note(s);
}

Status ChunkStore::Verify(ChunkName name) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  Status s = Note((*e)->file->Verify());
  AfterUse(**e);
  return s;
}

Result<std::vector<uint32_t>> ChunkStore::BlockCrcs(ChunkName name) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  std::vector<uint32_t> crcs = (*e)->file->StoredBlockCrcs();
  AfterUse(**e);
  return crcs;
}

Status ChunkStore::Sync(ChunkName name) {
  std::lock_guard lock(mu_);
  auto e = Get(name);
  if (!e.ok()) return e.status();
  Status s = Note((*e)->file->Sync());
  AfterUse(**e);
  return s;
}

Status ChunkStore::Close(uint64_t id, bool sync) {
  std::lock_guard lock(mu_);
  auto it = chunks_.find(id);
  if (it == chunks_.end() || !it->second.file) return Status::Ok();
  Status s = sync ? it->second.file->Sync() : it->second.file->Flush();
  it->second.file.reset();
  --open_files_;
  return Note(s);
}

}  // namespace elk::chunkstore
