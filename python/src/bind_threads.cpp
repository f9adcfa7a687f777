// LibTorch's intra-op thread count is global to the process, so it is a module function rather
// than a calculator setting.
#include <ATen/Parallel.h>

#include "bindings.h"
#include "eqt/core/threads.h"

namespace eqt::python {

void bind_threads(pybind11::module_& module) {
  module.def(
      "set_num_threads", [](int count) { eqt::set_num_threads(count); }, pybind11::arg("count"),
      "Threads LibTorch uses inside one evaluation (<= 0: all cores).");
  module.def(
      "get_num_threads", []() { return at::get_num_threads(); }, "Threads LibTorch uses inside one evaluation.");
}

}  // namespace eqt::python
