#pragma once
// Check 2 of `eqt check`: forces against central finite differences of the energy,
// F_ia ~ -(E(x + h e_ia) - E(x - h e_ia)) / 2h, for up to max_components components spread over
// the atoms (all 3N for small structures). The error is O(h^2) for a smooth energy.
#include <cstdint>

#include "eqt/check/probe.h"
#include "eqt/check/verdict.h"

namespace eqt::check {

struct FiniteDifferenceOptions {
  double h = 1e-5;               // Angstrom (O(h^2) error ~1e-7 eV/A, round-off ~1e-10)
  int64_t max_components = 30;
  double threshold = 1e-4;       // eV/A, largest |F - F_fd|
};

CheckResult check_finite_difference_forces(Probe& probe, const md::MdState& state, const EnergyForces& at_start,
                                           const FiniteDifferenceOptions& options);

}  // namespace eqt::check
