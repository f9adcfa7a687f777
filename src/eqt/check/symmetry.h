#pragma once
// Check 3 of `eqt check`: invariance of the energy and equivariance of the forces under random
// proper rotations (positions and cell rotated), inversion (positions negated; a periodic cell
// spans the same lattice negated, so it is kept), a random permutation of the atoms and a random
// translation. Symmetries the architecture does not guarantee exactly (Model::exact_symmetries,
// e.g. rotations for plain PET) are measured and reported without a verdict.
#include <cstdint>
#include <vector>

#include "eqt/check/probe.h"
#include "eqt/check/verdict.h"

namespace eqt::check {

struct SymmetryOptions {
  int rotations = 3;
  uint64_t seed = 0;
  double energy_threshold = 1e-8;  // eV, per atom
  double force_threshold = 1e-7;   // eV/A
};

// One result per symmetry: the largest of |dE| / N (eV/atom) and max |dF| (eV/A), each against its
// threshold (both must hold).
std::vector<CheckResult> check_symmetries(Probe& probe, const md::MdState& state, const EnergyForces& at_start,
                                          const SymmetryOptions& options);

}  // namespace eqt::check
