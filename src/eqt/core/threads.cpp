#include "eqt/core/threads.h"

#include <ATen/Parallel.h>

#include <thread>

namespace eqt {

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void set_num_threads(int count) { at::set_num_threads(count > 0 ? count : hardware_threads()); }

}  // namespace eqt
