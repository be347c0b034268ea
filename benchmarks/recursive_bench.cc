// The master's recursive requests over a large tree: how long one request holds the loop.
//
// Builds 1,000,000 files in 1000 directories (one chunk each) and times, over the whole
// tree, mfsgetgoal -r, mfsgettrashtime -r, dirinfo, mfssetgoal -r, mfssettrashtime -r and
// a snapshot, each as one call (what the master did before slicing) and, for the walks the
// server slices, the longest single slice (what a loop turn now costs).

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "master/namespace/namespace.h"

namespace elk::master {
namespace {

constexpr int kDirs = 1000;
constexpr int kFilesPerDir = 1000;

struct World {
  MemoryChunkRefs refs;
  std::unique_ptr<Namespace> ns;
  InodeId top = 0;

  World() {
    ns = std::make_unique<Namespace>(refs, 1);
    Cred root{};
    top = ns->Mkdir(root, kRootInode, "tree", 0755, 0, 1)->inode;
    SetAttrRequest len;
    len.length = 1000;
    ChunkId next_chunk = 1;
    for (int d = 0; d < kDirs; ++d) {
      InodeId dir = ns->Mkdir(root, top, fmt::format("dir{:04}", d), 0755, 0, 1)->inode;
      for (int f = 0; f < kFilesPerDir; ++f) {
        auto a =
            ns->Create(root, dir, fmt::format("file{:06}", f), NodeType::kFile, 0644, 022, 0, 2);
        (void)ns->SetChunk(a->inode, 0, next_chunk++);
        (void)ns->SetAttr(root, a->inode, len, 2);
      }
    }
  }
};

World& Shared() {
  static World world;
  return world;
}

void BM_GetGoalRecursive(benchmark::State& state) {
  World& w = Shared();
  for (auto _ : state)
    benchmark::DoNotOptimize(w.ns->GetGoalRecursive(w.top));
}
BENCHMARK(BM_GetGoalRecursive)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_GetTrashTimeRecursive(benchmark::State& state) {
  World& w = Shared();
  for (auto _ : state)
    benchmark::DoNotOptimize(w.ns->GetTrashTimeRecursive(w.top));
}
BENCHMARK(BM_GetTrashTimeRecursive)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_DirInfo(benchmark::State& state) {
  World& w = Shared();
  for (auto _ : state)
    benchmark::DoNotOptimize(w.ns->GetDirInfo(w.top));
}
BENCHMARK(BM_DirInfo)->Iterations(3)->Unit(benchmark::kMillisecond);

void BM_SetGoalRecursive(benchmark::State& state) {
  World& w = Shared();
  uint8_t goal = 3;
  for (auto _ : state) {
    auto r = w.ns->SetGoal(Cred{}, w.top, goal, SetMode::kSet, true, 5);
    if (!r.ok() || r->changed == 0) state.SkipWithError("nothing changed");
    goal = goal == 3 ? 2 : 3;
  }
}
BENCHMARK(BM_SetGoalRecursive)->Iterations(2)->Unit(benchmark::kMillisecond);

void BM_SetTrashTimeRecursive(benchmark::State& state) {
  World& w = Shared();
  uint32_t tt = 3600;
  for (auto _ : state) {
    auto r = w.ns->SetTrashTime(Cred{}, w.top, tt, SetMode::kSet, true, 5);
    if (!r.ok() || r->changed == 0) state.SkipWithError("nothing changed");
    tt = tt == 3600 ? 7200 : 3600;
  }
}
BENCHMARK(BM_SetTrashTimeRecursive)->Iterations(2)->Unit(benchmark::kMillisecond);

// What the server does instead: slices of at most 16,384 nodes; reports the longest.
template <bool kSet>
void SliceBench(benchmark::State& state) {
  World& w = Shared();
  uint8_t goal = 4;
  for (auto _ : state) {
    double longest_ms = 0;
    size_t slices = 0;
    TreeWalk walk(w.top);
    while (!walk.done()) {
      auto t = std::chrono::steady_clock::now();
      std::vector<InodeId> ids;
      w.ns->WalkSome(walk, 16384, &ids);
      if (kSet) {
        (void)w.ns->SetGoalOf(Cred{}, ids, goal, SetMode::kSet, 7, nullptr);
      } else {
        ValueSummary s;
        w.ns->AddGoals(ids, &s);
      }
      std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - t;
      longest_ms = std::max(longest_ms, took.count());
      ++slices;
    }
    goal = goal == 4 ? 5 : 4;
    state.counters["slices"] = static_cast<double>(slices);
    state.counters["longest_slice_ms"] = longest_ms;
  }
}
BENCHMARK(SliceBench<false>)
    ->Name("BM_GetGoalSliced")
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(SliceBench<true>)->Name("BM_SetGoalSliced")->Iterations(2)->Unit(benchmark::kMillisecond);

// Last: it doubles the tree.
void BM_Snapshot(benchmark::State& state) {
  World& w = Shared();
  for (auto _ : state) {
    auto r = w.ns->MakeSnapshot(Cred{}, w.top, kRootInode, "snap", false, 6);
    if (!r.ok()) state.SkipWithError("snapshot failed");
  }
  state.counters["nodes"] = static_cast<double>(w.ns->NodeCount());
}
BENCHMARK(BM_Snapshot)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace elk::master
