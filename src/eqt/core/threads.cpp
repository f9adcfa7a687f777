#include "eqt/core/threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

namespace eqt {

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

int default_threads() {
  // OMP_NUM_THREADS is how schedulers and test runners say how many cores a process may use.
  if (const char* text = std::getenv("OMP_NUM_THREADS")) {
    const int requested = std::atoi(text);
    if (requested > 0) return requested;
  }
  return hardware_threads();
}

void set_num_threads(int count) { at::set_num_threads(count > 0 ? count : default_threads()); }

}  // namespace eqt
