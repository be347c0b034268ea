// What the HTTP monitor's two walks cost the master's loop: the namespace's file and
// directory counts (Namespace::WalkStats; Stats itself is kept counters) and the chunk-health
// matrix (HealthMatrix), over 100,000 and 1,000,000 files of one chunk each, every chunk with two
// valid copies on three chunkservers. MonitorFeed walks on every snapshot up to 100,000 nodes +
// chunks, every 5 s above (docs/monitor.md); these figures are what that choice rests on.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "master/chunks/registry.h"
#include "master/namespace/chunk_refs.h"
#include "master/namespace/namespace.h"
#include "master/server/monitor_feed.h"

namespace elk::master {
namespace {

constexpr int kFilesPerDir = 1000;

struct World {
  MemoryChunkRefs refs;
  std::unique_ptr<Namespace> ns;
  ChunkRegistry registry;

  explicit World(int files) {
    ns = std::make_unique<Namespace>(refs, 1);
    Cred root{};
    std::vector<ReportedChunk> reported;
    ChunkId next = 1;
    for (int d = 0; d < files / kFilesPerDir; d++) {
      InodeId dir = ns->Mkdir(root, kRootInode, fmt::format("d{}", d), 0755, 0, 1)->inode;
      for (int f = 0; f < kFilesPerDir; f++) {
        auto a = ns->Create(root, dir, fmt::format("f{}", f), NodeType::kFile, 0644, 022, 0, 1);
        (void)ns->SetChunk(a->inode, 0, next);
        (void)registry.ApplyCreate(next, 2);
        reported.push_back({next, 1, false});
        next++;
      }
    }
    std::vector<ServerId> servers;
    for (uint16_t s = 0; s < 3; s++)
      servers.push_back(
          *registry.RegisterServer({0x7f000001, uint16_t(9422 + s)}, 0, 1ull << 40, 1));
    // Two copies of each chunk: servers (i, i+1) in turn.
    for (size_t s = 0; s < servers.size(); s++) {
      std::vector<ReportedChunk> mine;
      for (size_t i = 0; i < reported.size(); i++)
        if (i % 3 == s || (i + 1) % 3 == s) mine.push_back(reported[i]);
      (void)registry.ServerReportsChunks(servers[s], mine);
    }
  }
};

World& Shared(int files) {
  static World small(100'000);
  static World large(1'000'000);
  return files == 100'000 ? small : large;
}

void BM_NamespaceStats(benchmark::State& state) {
  World& w = Shared(static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(w.ns->WalkStats());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NamespaceStats)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_HealthMatrix(benchmark::State& state) {
  World& w = Shared(static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(HealthMatrix(w.registry));
  auto m = HealthMatrix(w.registry);
  state.counters["stable"] = static_cast<double>(m.stable());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HealthMatrix)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace elk::master
