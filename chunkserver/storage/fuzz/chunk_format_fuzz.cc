// libFuzzer target: the chunk file header and file names. The input, zero-padded or cut to
// the header size, goes through DecodeHeader; a header that decodes must encode to the
// same bytes. The input as a file name goes through ParseChunkFileName; a name that
// parses must be exactly the one ChunkFileName makes (there is one spelling per chunk).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chunkserver/storage/chunk_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::chunkstore;
  std::array<uint8_t, kHeaderSize> raw{};
  std::copy_n(data, std::min(size, kHeaderSize), raw.begin());
  auto header = DecodeHeader(raw);
  if (header.ok()) {
    std::array<uint8_t, kHeaderSize> out{};
    EncodeHeader(*header, out);
    auto again = DecodeHeader(out);
    if (!again.ok() || again->name != header->name || again->block_crc != header->block_crc) {
      __builtin_trap();
    }
  }
  std::string_view file_name(reinterpret_cast<const char*>(data), size);
  auto name = ParseChunkFileName(file_name);
  if (name && ChunkFileName(*name) != file_name) __builtin_trap();
  return 0;
}
