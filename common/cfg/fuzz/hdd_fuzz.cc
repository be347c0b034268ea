// Fuzzes the mfshdd.cfg parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/cfg/hdd_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = elk::cfg::ParseHddFile(text, "fuzz.cfg");
  if (entries.ok()) {
    for (const auto& entry : *entries) {
      if (entry.path.empty() || entry.path[0] != '/') __builtin_trap();
    }
  }
  return 0;
}
