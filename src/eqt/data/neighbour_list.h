#pragma once
// Radius neighbour lists for open, periodic and mixed boundaries, in the convention of
// ase.neighborlist.neighbor_list('ijS', atoms, cutoff): every (i, j, S) with
//   |positions[j] - positions[i] + S @ cell| < cutoff   (strict),
// S integer and zero along non-periodic directions, self-pairs only with S != 0, and both (i, j, S)
// and (j, i, -S) present. Output is sorted by i, then j, then S (lexicographic), so it does not
// depend on the binning or on the number of threads.
// Linear time: atoms are binned in the cell's fractional coordinates with bins at least `cutoff`
// thick (perpendicular heights), so cells smaller than the cutoff and skewed cells work too.
#include <ATen/ATen.h>

#include <array>
#include <cstdint>

#include "eqt/data/structure.h"

namespace eqt::data {

struct NeighbourList {
  at::Tensor centres;     // int64 [E], i
  at::Tensor neighbours;  // int64 [E], j
  at::Tensor shifts;      // int64 [E, 3], S: lattice vectors added to positions[j]

  int64_t size() const { return centres.size(0); }
};

// Throws eqt::Error for a non-positive / non-finite cutoff, non-finite positions or cell, and a
// cell whose periodic lattice vectors are (nearly) linearly dependent.
NeighbourList neighbour_list(const Structure& structure, double cutoff);

// positions [N, 3] (any floating dtype, CPU), cell [3, 3] rows = lattice vectors (undefined or
// zeros for molecules); rows of non-periodic directions are ignored.
NeighbourList neighbour_list(const at::Tensor& positions, const at::Tensor& cell,
                             std::array<bool, 3> pbc, double cutoff);

// The same on raw row-major arrays: positions[3 * num_atoms], cell[9].
NeighbourList neighbour_list(const double* positions, int64_t num_atoms, const double* cell,
                             std::array<bool, 3> pbc, double cutoff);

}  // namespace eqt::data
