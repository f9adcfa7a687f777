#include "eqt/core/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace eqt {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // Setting either value also switches off glibc's own adjustment of the thresholds.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace eqt
