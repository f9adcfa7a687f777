// eqt::Error (bad input: a missing or corrupt model directory, an unknown element, ...) becomes
// eqt.EqtError, a RuntimeError, with eqt's message; LibTorch's own errors become a RuntimeError
// without the C++ backtrace that c10::Error::what() appends.
#include <c10/util/Exception.h>

#include "bindings.h"
#include "eqt/core/error.h"

namespace eqt::python {

void bind_errors(pybind11::module_& module) {
  pybind11::register_exception<eqt::Error>(module, "EqtError", PyExc_RuntimeError);
  pybind11::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const c10::Error& error) {
      PyErr_SetString(PyExc_RuntimeError, error.what_without_backtrace());
    }
  });
}

}  // namespace eqt::python
