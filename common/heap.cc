#include "common/heap.h"

#include <malloc.h>

namespace elk {

void KeepFreedDataBuffers() {
  // Blocks up to 32 MiB come from the heap, never a fresh mmap, and up to 256 MiB of freed
  // heap top stays mapped. A fixed mmap threshold also stops glibc from tuning it per free.
  (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
  (void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace elk
