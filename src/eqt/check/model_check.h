#pragma once
// `eqt check`: the model diagnostics for one structure, in the order they are reported.
//  1. cutoff crossing (energy and force jumps), 2. forces against finite differences,
//  3. symmetries (rotation, inversion, permutation, translation), 4. NVE convergence.
// The thresholds assume float64; float32 runs get them scaled (float32_scale).
#include <vector>

#include "eqt/check/cutoff_crossing.h"
#include "eqt/check/finite_difference_forces.h"
#include "eqt/check/nve_convergence.h"
#include "eqt/check/symmetry.h"

namespace eqt::check {

struct ModelCheckOptions {
  CutoffCrossingOptions cutoff;
  FiniteDifferenceOptions finite_difference;
  SymmetryOptions symmetry;
  NveConvergenceOptions nve;
  bool run_nve = true;
};

// Options with each threshold (and the finite-difference step) fitted to float32's precision.
ModelCheckOptions for_float32(ModelCheckOptions options);

// Runs every check on `state` (a structure with positions, cell, pbc; velocities are not used).
std::vector<CheckResult> run_model_checks(Probe& probe, const md::MdState& state, const ModelCheckOptions& options);

}  // namespace eqt::check
