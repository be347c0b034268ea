// libFuzzer target: the namespace section of the image (Namespace::LoadNodes). The first
// byte picks the section format (1, 2 or 3), the rest is the section. Loading must refuse
// malformed or inconsistent input with an error; a namespace that loads must serialize
// (in the current format) to bytes that load again to the same Dump().
//
// Any number goes, inode numbers up to 2^31 - 1 included: the node table costs memory for
// the nodes and the pages they touch, not for the highest number (node.h).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "master/namespace/chunk_refs.h"
#include "master/namespace/namespace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::master;
  if (size == 0) return 0;
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
