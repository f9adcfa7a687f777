#pragma once
// Check 4 of `eqt check`: does the NVE energy error converge like integration error? Two velocity
// Verlet runs over the same simulated time from the same Maxwell-Boltzmann velocities, at dt and
// dt/2. Velocity Verlet's energy error is O(dt^2), so max |E - E0| shrinks about 4x; a potential
// whose energy jumps keeps its error whatever dt is.
#include <cstdint>

#include "eqt/check/probe.h"
#include "eqt/check/verdict.h"

namespace eqt::check {

struct NveConvergenceOptions {
  double dt_fs = 0.5;
  int64_t steps = 100;          // at dt; the run at dt/2 takes twice as many
  double temperature_k = 300.0;
  uint64_t seed = 0;
  double min_ratio = 2.5;       // pass: error(dt) / error(dt/2) >= this ...
  double floor_ev_per_atom = 1e-7;  // ... or error(dt) below this (nothing left to converge)
};

CheckResult check_nve_convergence(Probe& probe, const md::MdState& state, const NveConvergenceOptions& options);

}  // namespace eqt::check
