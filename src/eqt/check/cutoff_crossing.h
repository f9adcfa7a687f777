#pragma once
// Check 1 of `eqt check`: is the energy continuous where a neighbour crosses the cutoff? For each
// neighbour pair (i, j) of the structure (up to max_pairs, spread evenly over the list), atom j is
// put on the line through i and j at distance cutoff - h and then cutoff + h from i, and the
// energies and forces of the two placements are compared:
//  - energy jump: |E+ - E- + (F+_j + F-_j) . u h| (the change minus what the forces account for,
//    by the trapezoid rule, so a smooth surface gives O(h^3) and a jump gives the jump itself);
//  - force jump: max |F+ - F-| over all atoms (O(h) for continuous forces).
#include <cstdint>

#include "eqt/check/probe.h"
#include "eqt/check/verdict.h"

namespace eqt::check {

struct CutoffCrossingOptions {
  double h = 1e-6;          // Angstrom on each side of the cutoff
  int64_t max_pairs = 50;   // pairs tested
  double energy_threshold = 1e-7;  // eV
  double force_threshold = 1e-3;   // eV/A
};

// Two results: the energy jump and the force jump.
std::pair<CheckResult, CheckResult> check_cutoff_crossing(Probe& probe, const md::MdState& state,
                                                          const CutoffCrossingOptions& options);

}  // namespace eqt::check
