// The master namespace in memory: bytes per file and operations per second.
//
// Builds 1,000,000 files in 1000 directories (each file with one chunk and a length,
// as a real file has) and reports heap bytes per file measured with mallinfo2(), then
// times create, lookup, getattr and unlink.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "master/namespace/namespace.h"

namespace elk::master {
namespace {

constexpr int kDirs = 1000;
constexpr int kFilesPerDir = 1000;
constexpr int kFiles = kDirs * kFilesPerDir;

// Heap in use: small blocks plus the large ones malloc serves with mmap.
size_t HeapBytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int i = 0; i < kFilesPerDir; ++i)
      v.push_back(fmt::format("file{:06}", i));
    return v;
  }();
  return names;
}

struct World {
  MemoryChunkRefs refs;  // not counted: the chunk registry owns reference counts
  std::unique_ptr<Namespace> ns;
  std::vector<InodeId> dirs;
  double create_seconds = 0;
  double bytes_per_file = 0;

  World() {
    Names();
    size_t before = HeapBytes();
    ns = std::make_unique<Namespace>(refs, 1);
    Cred root{};
    (void)ns->SetTrashTime(root, kRootInode, 0, SetMode::kSet, false, 1);
    for (int d = 0; d < kDirs; ++d) {
      dirs.push_back(ns->Mkdir(root, kRootInode, fmt::format("dir{:04}", d), 0755, 0, 1)->inode);
    }
    SetAttrRequest len;
    len.length = 1000;
    auto start = std::chrono::steady_clock::now();
    ChunkId next_chunk = 1;
    for (InodeId dir : dirs) {
      for (const std::string& name : Names()) {
        auto a = ns->Create(root, dir, name, NodeType::kFile, 0644, 022, 0, 2);
        (void)ns->SetChunk(a->inode, 0, next_chunk++);
        (void)ns->SetAttr(root, a->inode, len, 2);
      }
    }
    create_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // MemoryChunkRefs was never touched (SetChunk does not Ref), so this is the namespace.
    bytes_per_file = static_cast<double>(HeapBytes() - before) / kFiles;
  }
};

World& Shared() {
  static World world;
  return world;
}

void BM_Create1M(benchmark::State& state) {
  for (auto _ : state) {
    World w;
    state.counters["bytes_per_file"] = w.bytes_per_file;
    state.counters["creates_per_s"] = kFiles / w.create_seconds;
    state.counters["nodes"] = static_cast<double>(w.ns->NodeCount());
  }
}
BENCHMARK(BM_Create1M)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_Lookup(benchmark::State& state) {
  World& w = Shared();
  Cred root{};
  std::mt19937 rng(1);
  for (auto _ : state) {
    InodeId dir = w.dirs[rng() % kDirs];
    auto a = w.ns->Lookup(root, dir, Names()[rng() % kFilesPerDir]);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Lookup);

void BM_GetAttr(benchmark::State& state) {
  World& w = Shared();
  std::mt19937 rng(2);
  InodeId high = static_cast<InodeId>(w.ns->NodeCount());
  for (auto _ : state) {
    auto a = w.ns->GetAttr(1 + rng() % high);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetAttr);

void BM_Unlink1M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    World w;
    state.ResumeTiming();
    Cred root{};
    for (InodeId dir : w.dirs) {
      for (const std::string& name : Names())
        (void)w.ns->Unlink(root, dir, name, 3);
    }
    state.PauseTiming();
    state.counters["nodes_left"] = static_cast<double>(w.ns->NodeCount());
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kFiles);
}
BENCHMARK(BM_Unlink1M)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace elk::master
