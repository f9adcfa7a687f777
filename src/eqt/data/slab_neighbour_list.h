#pragma once
// The OC20 graph rule (ocpmodels 0.0.3 radius_graph_pbc, the graph Equiformer's OC20 models were
// trained on), an alternative to neighbour_list.h's ASE rule for slab + adsorbate structures:
//  * candidates: every atom j of the structure (i itself included) seen through lattice images
//    n = (n1, n2, n3) with |n_k| <= ceil(radius / h_k), h_k the cell's height across a_k, and
//    n3 = 0 unless radius >= 20 A (OC20 treats a3 as the vacuum direction, whatever pbc says);
//  * kept when 1e-4 A^2 < |positions[j] + n @ cell - positions[i]|^2 <= radius^2 (inclusive;
//    the lower bound removes the atom itself at n = 0, self-images j = i, n != 0 stay);
//  * per centre, only the max_neighbours nearest (by squared distance; ties by (j, n)), so the
//    graph need not be symmetric;
//  * ordered by i, then j, then n lexicographically, the order ocpmodels produces.
// Same output type and edge convention as neighbour_list (i, j, S), so collate() takes it.
// The search is all pairs times images (OC20 systems have ~10^2 atoms), exact by construction.
#include <ATen/ATen.h>

#include <cstdint>

#include "eqt/data/neighbour_list.h"
#include "eqt/data/structure.h"

namespace eqt::data {

struct SlabGraphOptions {
  double radius = 6.0;
  int64_t max_neighbours = 50;  // <= 0: no limit
};

// The radius from which ocpmodels also takes images along the third lattice vector.
inline constexpr double kSlabThirdAxisRadius = 20.0;

// positions [N, 3], cell [3, 3] (rows = lattice vectors, must span a volume). Throws eqt::Error
// for a bad radius, non-finite input or a degenerate cell.
NeighbourList slab_neighbour_list(const at::Tensor& positions, const at::Tensor& cell,
                                  const SlabGraphOptions& options);
NeighbourList slab_neighbour_list(const Structure& structure, const SlabGraphOptions& options);

}  // namespace eqt::data
