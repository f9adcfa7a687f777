#include "eqt/core/threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

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

OneThreadScope::OneThreadScope(bool active) {
#ifdef _OPENMP
  if (active && omp_get_max_threads() > 1) {
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
  }
#else
  (void)active;
#endif
}

OneThreadScope::~OneThreadScope() {
#ifdef _OPENMP
  if (saved_ > 0) omp_set_num_threads(saved_);
#endif
}

}  // namespace eqt
