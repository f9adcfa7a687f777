// eqt._eqt: the compiled half of the eqt Python package (python/eqt/ is the other half).
#include "bindings.h"
#include "eqt/core/torch_warnings.h"

PYBIND11_MODULE(_eqt, module) {
  module.doc() = "eqt models (Equiformer, PET, ECSE) evaluated by LibTorch; see eqt.ase.EqtCalculator";
  module.attr("__version__") = EQT_VERSION;
  eqt::install_torch_warning_handler();
  eqt::python::bind_errors(module);
  eqt::python::bind_threads(module);
  eqt::python::bind_potential(module);
}
