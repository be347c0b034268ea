// libFuzzer target: the namespace section of the image (Namespace::LoadNodes). The first
// byte picks the section format (1, 2 or 3), the rest is the section. Loading must refuse
// malformed or inconsistent input with an error; a namespace that loads must serialize
// (in the current format) to bytes that load again to the same Dump().
//
// Inputs holding a varint of 2^14 or more are skipped: the loader sizes its node table and
// free-number list by the highest inode number (by design: the live master's memory grows
// with it too), so a 5-byte section naming inode 2^28 costs gigabytes and stops the run
// as "out of memory" rather than finding anything. Times, lengths and ids stay small here.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "master/namespace/chunk_refs.h"
#include "master/namespace/namespace.h"

namespace {

// True when two bytes in a row carry the varint continuation bit (a value >= 2^14).
bool HasLargeVarint(const uint8_t* data, size_t size) {
  for (size_t i = 1; i < size; ++i) {
    if ((data[i - 1] & 0x80) != 0 && (data[i] & 0x80) != 0) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::master;
  if (size == 0 || HasLargeVarint(data + 1, size - 1)) return 0;
  const uint64_t format = 1 + data[0] % Namespace::kNodeFormat;
  std::string_view section(reinterpret_cast<const char*>(data + 1), size - 1);
  MemoryChunkRefs refs;
  Namespace ns(refs);
  if (!ns.LoadNodes(section, format).ok()) return 0;
  const std::string saved = ns.SerializeNodes();
  MemoryChunkRefs refs2;
  Namespace again(refs2);
  if (!again.LoadNodes(saved).ok()) __builtin_trap();
  if (again.Dump() != ns.Dump()) __builtin_trap();
  return 0;
}
