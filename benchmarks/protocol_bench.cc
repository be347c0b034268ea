// Encode and decode rates of the generic wire codec for representative messages: a lookup
// request, an attribute reply, a 64 KiB write-data frame and a 1000-entry chunk list.
// Items are messages; bytes are whole frames (header + payload).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "common/protocol/codec.h"
#include "common/protocol/messages.h"

namespace elk::protocol {
namespace {

CltomaLookup LookupRequest() {
  return CltomaLookup{.msgid = 12345,
                      .parent = 77,
                      .name = "a-typical-file-name.txt",
                      .creds = Creds{.uid = 1000, .gid = 1000, .groups = {4, 24, 27}}};
}

MatoclGetattr AttrReply() {
  return MatoclGetattr{.msgid = 12345,
                       .attr = Attr{.inode = 4242,
                                    .type = NodeType::kFile,
                                    .mode = 0644,
                                    .uid = 1000,
                                    .gid = 1000,
                                    .atime = 1700000000123456789,
                                    .mtime = 1700000001123456789,
                                    .ctime = 1700000002000000000,
                                    .nlink = 1,
                                    .length = 123456789,
                                    .goal = 2,
                                    .trashtime = 86400}};
}

const std::vector<uint8_t>& Block() {
  static const std::vector<uint8_t> block(64 << 10, 0x5A);
  return block;
}

CltocsWriteData WriteData() {
  return CltocsWriteData{.chunkid = 0x1122334455,
                         .write_id = 9,
                         .block = 3,
                         .offset = 0,
                         .crc = 0xDEADBEEF,
                         .data = Block()};
}

CstomaRegisterChunks ChunkList() {
  CstomaRegisterChunks m;
  for (uint32_t i = 0; i < 1000; ++i)
    m.chunks.push_back({.chunkid = 1000000 + i, .version = i});
  return m;
}

template <typename M>
void BM_Encode(benchmark::State& state, const M& msg) {
  std::vector<uint8_t> out;
  for (auto _ : state) {
    out.clear();
    if (!AppendFrame(msg, out).ok()) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}

template <typename M>
void BM_Decode(benchmark::State& state, const M& msg) {
  auto frame = EncodeFrame(msg);
  if (!frame.ok()) {
    state.SkipWithError("encode failed");
    return;
  }
  std::span<const uint8_t> payload(frame->data() + kFrameHeaderSize,
                                   frame->size() - kFrameHeaderSize);
  for (auto _ : state) {
    auto decoded = Decode<M>(payload);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * frame->size()));
}

BENCHMARK_CAPTURE(BM_Encode, lookup_request, LookupRequest());
BENCHMARK_CAPTURE(BM_Decode, lookup_request, LookupRequest());
BENCHMARK_CAPTURE(BM_Encode, attr_reply, AttrReply());
BENCHMARK_CAPTURE(BM_Decode, attr_reply, AttrReply());
BENCHMARK_CAPTURE(BM_Encode, write_data_64k, WriteData());
BENCHMARK_CAPTURE(BM_Decode, write_data_64k, WriteData());
BENCHMARK_CAPTURE(BM_Encode, chunk_list_1000, ChunkList());
BENCHMARK_CAPTURE(BM_Decode, chunk_list_1000, ChunkList());

}  // namespace
}  // namespace elk::protocol
