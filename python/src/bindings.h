#pragma once
// The parts of the eqt._eqt module, one per file, added to it by module.cpp.
#include <pybind11/pybind11.h>

namespace eqt::python {

void bind_errors(pybind11::module_& module);     // errors.cpp: eqt.EqtError
void bind_potential(pybind11::module_& module);  // bind_potential.cpp: eqt.Potential
void bind_threads(pybind11::module_& module);    // bind_threads.cpp: set_num_threads / get_num_threads

}  // namespace eqt::python
