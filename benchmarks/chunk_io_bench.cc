// Chunk file throughput: 64 KiB block writes and verified reads of a 64 MiB chunk in a temp
// folder, through ChunkFile and the POSIX DiskIo (page cache, no fsync per block). Read the
// bytes_per_second column. And what durability costs per operation (docs/chunkserver.md):
// a version change (header synced, rename, folder synced) against the bare header write and
// rename it was before, a chunk's creation, and one block written then synced (what a
// CLTOCS_WRITE_SYNC after it costs a chunkserver).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <utility>

#include "chunkserver/storage/aligned_buffer.h"
#include "chunkserver/storage/chunk_file.h"

namespace {

using elk::chunkstore::AlignedBuffer;
using elk::chunkstore::ChunkFile;
using elk::kBlockSize;
using elk::kBlocksPerChunk;
using elk::kChunkSize;

struct TempDir {
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "elkbench.XXXXXX").string();
    path = ::mkdtemp(t.data()) ? t : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

void Fill(AlignedBuffer& buf) {
  for (size_t i = 0; i < buf.size(); ++i)
    buf.data()[i] = static_cast<uint8_t>(i * 131 + 7);
}

void BM_WriteChunk(benchmark::State& state) {
  TempDir dir;
  auto io = elk::chunkstore::NewPosixDiskIo();
  AlignedBuffer block(kBlockSize);
  Fill(block);
  uint32_t version = 1;
  for (auto _ : state) {
    auto chunk = ChunkFile::Create(*io, dir.path, {.id = 1, .version = version++});
    if (!chunk.ok()) return state.SkipWithError(chunk.status().ToString().c_str());
    for (uint32_t b = 0; b < kBlocksPerChunk; ++b) {
      if (!(*chunk)->Write(uint64_t{b} * kBlockSize, block.span()).ok()) {
        return state.SkipWithError("write failed");
      }
    }
    if (!(*chunk)->Flush().ok()) return state.SkipWithError("flush failed");
    state.PauseTiming();
    (void)(*chunk)->Delete();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kChunkSize));
}

void BM_ReadChunk(benchmark::State& state) {
  TempDir dir;
  auto io = elk::chunkstore::NewPosixDiskIo();
  AlignedBuffer block(kBlockSize);
  Fill(block);
  auto chunk = ChunkFile::Create(*io, dir.path, {.id = 1, .version = 1});
  if (!chunk.ok()) return state.SkipWithError(chunk.status().ToString().c_str());
  if (!(*chunk)->Write(0, std::span<const uint8_t>(block.data(), kBlockSize)).ok()) return;
  for (uint32_t b = 1; b < kBlocksPerChunk; ++b) {
    (void)(*chunk)->Write(uint64_t{b} * kBlockSize, block.span());
  }
  for (auto _ : state) {
    for (uint32_t b = 0; b < kBlocksPerChunk; ++b) {
      auto crc = (*chunk)->ReadBlock(b, block.span());
      if (!crc.ok()) return state.SkipWithError(crc.status().ToString().c_str());
      benchmark::DoNotOptimize(*crc);
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kChunkSize));
}

void BM_SetVersion(benchmark::State& state) {
  TempDir dir;
  auto io = elk::chunkstore::NewPosixDiskIo();
  AlignedBuffer block(kBlockSize);
  Fill(block);
  auto chunk = ChunkFile::Create(*io, dir.path, {.id = 1, .version = 1});
  if (!chunk.ok()) return state.SkipWithError(chunk.status().ToString().c_str());
  (void)(*chunk)->Write(0, block.span());
  uint32_t version = 1;
  for (auto _ : state) {
    if (!(*chunk)->SetVersion(++version).ok()) return state.SkipWithError("set version failed");
  }
}

// The version change as it was before it was made durable: the header rewritten, the file
// renamed, nothing synced.
void BM_HeaderWriteAndRenameUnsynced(benchmark::State& state) {
  TempDir dir;
  auto io = elk::chunkstore::NewPosixDiskIo();
  AlignedBuffer header(elk::chunkstore::kHeaderSize);
  Fill(header);
  std::string from = dir.path + "/a", to = dir.path + "/b";
  {
    auto f = io->Open(from, elk::chunkstore::OpenMode::kCreateNew);
    if (!f.ok()) return state.SkipWithError(f.status().ToString().c_str());
  }
  for (auto _ : state) {
    auto f = io->Open(from, elk::chunkstore::OpenMode::kReadWrite);
    if (!f.ok() || !(*f)->WriteAt(0, header.span()).ok()) return state.SkipWithError("write");
    if (!io->Rename(from, to).ok()) return state.SkipWithError("rename failed");
    std::swap(from, to);
  }
}

void BM_CreateChunk(benchmark::State& state) {
  TempDir dir;
  auto io = elk::chunkstore::NewPosixDiskIo();
  uint64_t id = 1;
  for (auto _ : state) {
    auto chunk = ChunkFile::Create(*io, dir.path, {.id = id++, .version = 1});
    if (!chunk.ok()) return state.SkipWithError(chunk.status().ToString().c_str());
    state.PauseTiming();
    (void)(*chunk)->Delete();
    state.ResumeTiming();
  }
}

void BM_BlockWriteThenSync(benchmark::State& state) {
  TempDir dir;
  auto io = elk::chunkstore::NewPosixDiskIo();
  AlignedBuffer block(kBlockSize);
  Fill(block);
  auto chunk = ChunkFile::Create(*io, dir.path, {.id = 1, .version = 1});
  if (!chunk.ok()) return state.SkipWithError(chunk.status().ToString().c_str());
  uint32_t b = 0;
  for (auto _ : state) {
    if (!(*chunk)->Write(uint64_t{b++ % kBlocksPerChunk} * kBlockSize, block.span()).ok() ||
        !(*chunk)->Sync().ok()) {
      return state.SkipWithError("write or sync failed");
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kBlockSize));
}

}  // namespace

BENCHMARK(BM_SetVersion)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_HeaderWriteAndRenameUnsynced)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_CreateChunk)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_BlockWriteThenSync)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_WriteChunk)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadChunk)->Unit(benchmark::kMillisecond)->UseRealTime();
