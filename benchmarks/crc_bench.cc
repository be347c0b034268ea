// CRC32C throughput, hardware (SSE4.2, three streams) against the portable slicing-by-8
// path, on the block sizes ElkFS hashes: 4 KiB pages, 64 KiB chunk blocks, 1 MiB requests.
// Read the bytes_per_second column.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "common/crc/crc32c.h"

namespace {

std::vector<uint8_t> Buffer(size_t n) {
  std::vector<uint8_t> v(n);
  uint32_t x = 12345;
  for (auto& b : v)
    b = static_cast<uint8_t>(x = x * 1103515245u + 12345u);
  return v;
}

void BM_Crc32cHardware(benchmark::State& state) {
  if (!elk::crc::HardwareAccelerated()) {
    state.SkipWithError("no SSE4.2 on this CPU");
    return;
  }
  const auto buf = Buffer(static_cast<size_t>(state.range(0)));
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = elk::crc::Crc32c(crc, buf.data(), buf.size());
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Crc32cPortable(benchmark::State& state) {
  const auto buf = Buffer(static_cast<size_t>(state.range(0)));
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = elk::crc::Crc32cPortable(crc, buf.data(), buf.size());
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Crc32cZeros64K(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(elk::crc::Crc32cZeros(65536));
}

}  // namespace

BENCHMARK(BM_Crc32cHardware)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Crc32cPortable)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Crc32cZeros64K);
