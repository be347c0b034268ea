// libFuzzer target: a whole metadata.mfs file's bytes through image::Decode. An image that
// decodes must encode again and decode to the same version, time and sections.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/image/image_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace elk::image;
  auto image = Decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!image.ok()) return 0;
  auto bytes = Encode(*image, 1);
  if (!bytes.ok()) __builtin_trap();
  auto again = Decode(*bytes);
  if (!again.ok() || again->version != image->version || again->saved_at != image->saved_at ||
      again->sections.size() != image->sections.size()) {
    __builtin_trap();
  }
  for (size_t i = 0; i < image->sections.size(); ++i) {
    if (again->sections[i].tag != image->sections[i].tag ||
        again->sections[i].data != image->sections[i].data) {
      __builtin_trap();
    }
  }
  return 0;
}
