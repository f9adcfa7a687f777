#pragma once
// ASE's neighbour lists as the independent reference: runs tests/data/ase_neighbour_reference.py,
// reads its binary dump back into Structures, and compares eqt's edges with ASE's as sets.
#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "eqt/data/neighbour_list.h"
#include "eqt/data/structure.h"

namespace eqt::testing {

struct AseNeighbourCase {
  std::string name;
  double cutoff = 0;
  data::Structure structure;
  at::Tensor i, j;       // int64 [E]
  at::Tensor shifts;     // int64 [E, 3]
  at::Tensor distances;  // float64 [E]
};

// Runs `ase_neighbour_reference.py ARGUMENTS DUMP PATHS` with a fresh temporary DUMP and reads
// the records back. Throws std::runtime_error when Python fails.
std::vector<AseNeighbourCase> ase_neighbour_cases(const std::vector<std::string>& arguments,
                                                  const std::vector<std::string>& paths = {});

struct EdgeComparison {
  int64_t matched = 0;
  int64_t missing = 0;        // in ASE's list, not in eqt's
  int64_t extra = 0;          // in eqt's list, not in ASE's
  int64_t boundary_ties = 0;  // unmatched, but at the cutoff to rounding: either answer is right
  double max_distance_error = 0;  // eqt's |r_ij + S @ cell| against ASE's d, matched edges
  bool sorted_unique = true;      // eqt's output strictly increasing in (i, j, S)
  std::string first_problem;
};

EdgeComparison compare_with_ase(const AseNeighbourCase& reference, const data::NeighbourList& nl);

}  // namespace eqt::testing
